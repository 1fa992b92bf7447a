// Runs one of the CLI's commands (`invoke`, `new-action`, `package`) from its compiled output.
// The root scripts call this, so it first brings @owkit/cli and what it imports up to date
// through turbo (a cache hit once built), quietly unless that fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COMMANDS = ['invoke', 'new-action', 'package'];
const [command, ...args] = process.argv.slice(2);
if (!COMMANDS.includes(command ?? '')) {
  process.stderr.write(`usage: node packages/cli/scripts/run.mjs <${COMMANDS.join('|')}> …\n`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const turbo = fileURLToPath(new URL('../../../node_modules/.bin/turbo', import.meta.url));
const build = spawnSync(
  turbo,
  ['run', 'build', '--filter=@owkit/cli', '--output-logs=errors-only', '--log-prefix=none'],
  { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  process.stderr.write(
    `${command}: building @owkit/cli failed${build.error ? ` (${build.error.message})` : ''}; run pnpm install, then pnpm build\n`,
  );
  process.exit(1);
}

const entry = new URL(`../dist/bin/${command}.js`, import.meta.url);
process.argv = [process.argv[0] ?? 'node', fileURLToPath(entry), ...args];
await import(entry.href);
