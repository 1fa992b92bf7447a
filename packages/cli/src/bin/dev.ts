import { dev } from '../dev/dev.js';
import { DEV_USAGE, parseOptions } from '../dev/options.js';
import { EXIT } from '../errors.js';
import { findRepoRoot } from '../repo.js';
import { runCommand } from './run-command.js';

await runCommand('dev', async ({ signal, progress }) => {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(DEV_USAGE);
    return EXIT.ok;
  }
  await dev(options, {
    root: findRepoRoot(),
    progress,
    signal,
    print: (text) => process.stdout.write(`${text}\n`),
  });
  return EXIT.ok;
});
