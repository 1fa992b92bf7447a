/**
 * Cross-compiles the action into bin/native: a static linux/amd64 binary, stripped and
 * reproducible (no build id, no VCS stamp, no local paths). `nethttpomithttp2` leaves out
 * net/http's HTTP/2 support, which the invoker never uses.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';

const binary = 'bin/native';
const args = [
  'build',
  '-tags=nethttpomithttp2',
  '-trimpath',
  '-buildvcs=false',
  '-ldflags=-s -w -buildid=',
  '-o',
  binary,
  '.',
];
mkdirSync('bin', { recursive: true });
const env = { ...process.env, GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' };
const result = spawnSync('go', args, { env, stdio: 'inherit' });
if (result.error || result.status !== 0) {
  process.stderr.write(
    `go ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}\n`,
  );
  process.exit(1);
}
process.stdout.write(`${binary}: ${statSync(binary).size} bytes\n`);
