/**
 * Cross-compiles the three entry points into bin/: static linux/amd64 binaries, stripped and
 * reproducible (no build id, no VCS stamp, no local paths), ready for FROM scratch or the
 * sdk-proxy images. `nethttpomithttp2` leaves net/http's HTTP/2 support out (~0.4 MB): the
 * invoker speaks HTTP/1.1 to action containers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';

export const entryPoints = ['native', 'blackbox', 'actionloop'];

mkdirSync('bin', { recursive: true });
const env = { ...process.env, GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' };
for (const name of entryPoints) {
  const args = [
    'build',
    '-tags=nethttpomithttp2',
    '-trimpath',
    '-buildvcs=false',
    '-ldflags=-s -w -buildid=',
    '-o',
    `bin/${name}`,
    `./cmd/${name}`,
  ];
  const result = spawnSync('go', args, { env, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    process.stderr.write(
      `go ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`bin/${name}: ${statSync(`bin/${name}`).size} bytes\n`);
}
