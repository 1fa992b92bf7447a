import { EXIT } from '../errors.js';
import { newAction } from '../new-action/new-action.js';
import { NEW_ACTION_USAGE, parseOptions } from '../new-action/options.js';
import { findRepoRoot } from '../repo.js';
import type { TemplateStyle } from '../styles.js';
import { runCommand } from './run-command.js';

await runCommand('new-action', async ({ progress }) => {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(NEW_ACTION_USAGE);
    return EXIT.ok;
  }
  const generated = await newAction(options, findRepoRoot(), progress);
  process.stdout.write(
    [
      `actions/${options.name}: ${generated.packageName}, image ${generated.image}`,
      ...generated.files.map((file) => `  ${file}`),
      '',
      'next:',
      options.style.endsWith('-web')
        ? `  pnpm dev ${options.name}   # builds ${generated.image} first; open http://127.0.0.1:3000/?name=Ada`
        : `  pnpm invoke ${options.name} --param name=Ada   # builds ${generated.image} first`,
      `  pnpm exec turbo run test --filter=${generated.packageName}`,
      `  then change the handler (${handlerFile(options.style)}) and its test`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
});

function handlerFile(style: TemplateStyle): string {
  const files = { 'ts-web': 'src/app.ts', 'go-web': 'app.go', 'ts-native': 'src/greet.ts' } as const;
  return style in files ? files[style as keyof typeof files] : 'greet.go';
}
