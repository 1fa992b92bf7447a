import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage } from '@owkit/testkit';
import { build } from 'esbuild';
import { execa } from 'execa';
import { CONTAINER_PREFIX } from '../src/invoke/runners.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_BIN = fileURLToPath(new URL('../dist/bin/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export const LOGGING_IMAGE = 'owkit/cli-fixture:logging';
export const SILENT_IMAGE = 'owkit/cli-fixture:silent';

/** The logging fixture: bundled with the runtime and put on the same base as the TS action. */
export async function buildLoggingImage(): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'owkit-cli-logging-'));
  try {
    await build({
      entryPoints: [join(FIXTURES, 'logging', 'action.ts')],
      outfile: join(context, 'action.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    await copyFile(join(FIXTURES, 'logging', 'Dockerfile'), join(context, 'Dockerfile'));
    await buildImage(context, LOGGING_IMAGE);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** The never-listening fixture: a static busybox on scratch (CI installs busybox-static). */
export async function buildSilentImage(): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), 'owkit-cli-silent-'));
  try {
    await copyFile('/bin/busybox', join(context, 'busybox'));
    await copyFile(join(FIXTURES, 'silent', 'Dockerfile'), join(context, 'Dockerfile'));
    await buildImage(context, SILENT_IMAGE);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export async function removeImages(...images: string[]): Promise<void> {
  await execa('docker', ['rmi', '--force', ...images], { reject: false, stdin: 'ignore' });
}

/** Containers `pnpm invoke` started and did not remove: there must never be any. */
export async function leftoverContainers(): Promise<string[]> {
  const { stdout } = await execa('docker', [
    'ps',
    '--all',
    '--quiet',
    '--filter',
    `name=${CONTAINER_PREFIX}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Runs one of the CLI's commands as the root script does, from the built bin. */
export function runBin(command: string, args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [join(CLI_BIN, `${command}.js`), ...args], {
    cwd: REPO_ROOT,
    reject: false,
    stdin: 'ignore',
    env,
  });
}
