// Runs one of the CLI's commands (`invoke`, `dev`, `new-action`, `package`) from its compiled output.
// The root scripts call this, so it first brings @owkit/cli and what it imports up to date
// through turbo (a cache hit once built), saying so when that takes a while (a fresh clone).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COMMANDS = ['invoke', 'dev', 'new-action', 'package'];
/** A cache hit takes about a second; longer means a real build, worth a line. */
const QUIET_MS = 1_500;
const [command, ...args] = process.argv.slice(2);
if (!COMMANDS.includes(command ?? '')) {
  process.stderr.write(`usage: node packages/cli/scripts/run.mjs <${COMMANDS.join('|')}> …\n`);
  process.exit(2);
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const turbo = fileURLToPath(new URL('../../../node_modules/.bin/turbo', import.meta.url));
if (!existsSync(turbo)) {
  process.stderr.write(
    `${command}: the workspace is not installed (no node_modules/.bin/turbo): run pnpm install, or npm test, which installs it\n`,
  );
  process.exit(1);
}
const build = spawn(
  turbo,
  ['run', 'build', '--filter=@owkit/cli', '--output-logs=errors-only', '--log-prefix=none'],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  },
);
let output = '';
build.stdout.on('data', (chunk) => {
  output += chunk;
});
build.stderr.on('data', (chunk) => {
  output += chunk;
});
const slow = setTimeout(() => {
  process.stderr.write(`${command}: building the CLI and what it imports first (turbo) …\n`);
}, QUIET_MS);
const status = await new Promise((resolve) => {
  build.once('error', (error) => resolve(error));
  build.once('close', (code) => resolve(code));
});
clearTimeout(slow);
if (status !== 0) {
  process.stderr.write(output);
  const cause = status instanceof Error ? ` (${status.message})` : '';
  process.stderr.write(
    `${command}: building @owkit/cli failed${cause}: fix what the output above names (pnpm build shows all of it), then run the command again\n`,
  );
  process.exit(1);
}

const entry = new URL(`../dist/bin/${command}.js`, import.meta.url);
process.argv = [process.argv[0] ?? 'node', fileURLToPath(entry), ...args];
await import(entry.href);
