/**
 * Builds the action's three images from bin/ (run `build` first):
 *   owkit/reverse-string:go-native      FROM scratch, the binary serves HTTP itself
 *   owkit/reverse-string:go-blackbox    FROM owkit/sdk-proxy:latest, one process per activation
 *   owkit/reverse-string:go-actionloop  FROM owkit/sdk-proxy:loop, one persistent child
 * Each build context is a temporary folder holding one binary and its Dockerfile.
 * Without a Docker engine: a one-line reason and exit 0, or failure when CI=true. The same goes
 * for a missing sdk-proxy base image (`pnpm --filter @owkit/sdk-proxy image` builds it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const images = [
  { kind: 'native', tag: 'owkit/reverse-string:go-native', base: undefined },
  { kind: 'blackbox', tag: 'owkit/reverse-string:go-blackbox', base: 'owkit/sdk-proxy:latest' },
  { kind: 'actionloop', tag: 'owkit/reverse-string:go-actionloop', base: 'owkit/sdk-proxy:loop' },
];

const inCI = process.env.CI === 'true';

function docker(args, options = {}) {
  return spawnSync('docker', args, { encoding: 'utf8', timeout: 600_000, ...options });
}

function giveUp(reason) {
  if (inCI) {
    process.stderr.write(`image: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`image: skipped, ${reason}\n`);
}

const info = docker(['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
if (info.error || info.status !== 0) {
  giveUp('no Docker engine answers (`docker info` failed)');
  process.exit(0);
}

for (const { kind, tag, base } of images) {
  if (base !== undefined && docker(['image', 'inspect', base]).status !== 0) {
    giveUp(`${tag} needs the base image ${base}, which is not built`);
    continue;
  }
  const context = mkdtempSync(path.join(tmpdir(), `reverse-string-${kind}-`));
  try {
    copyFileSync(path.join('bin', kind), path.join(context, kind));
    copyFileSync(`Dockerfile.${kind}`, path.join(context, 'Dockerfile'));
    // Output only on failure: the classic builder prints a deprecation notice on every build.
    const build = docker(['build', '--quiet', '--tag', tag, context]);
    if (build.error || build.status !== 0) {
      process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
      process.stderr.write(`image: docker build of ${tag} failed\n`);
      process.exit(1);
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const size = docker(['image', 'inspect', '--format', '{{.Size}}', tag]).stdout.trim();
  process.stdout.write(`${tag}: ${size} bytes\n`);
}
