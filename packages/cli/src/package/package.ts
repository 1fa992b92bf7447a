import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describeAction, listActions } from '../actions.js';
import { type Progress, runTurbo } from '../build.js';
import { CliError, usageError } from '../errors.js';
import type { PackageOptions } from './options.js';
import { execZip } from './zip.js';

export interface Packaged {
  path: string;
  zipBytes: number;
  binaryBytes: number;
}

/** `pnpm package`: the Go blackbox binary as `exec.zip`, built first when missing. */
export async function packageAction(
  options: PackageOptions,
  root: string,
  progress: Progress,
  signal?: AbortSignal,
): Promise<Packaged> {
  const action = describeAction(root, options.action);
  if (action === undefined) {
    const withBinary = listActions(root)
      .filter((a) => a.styles.some((s) => s.style === 'go-blackbox'))
      .map((a) => a.name);
    throw usageError(
      `no action folder actions/${options.action}: name one with a go-blackbox style (${withBinary.join(', ') || 'none yet'})`,
    );
  }
  const blackbox = action.styles.find((s) => s.style === 'go-blackbox');
  if (blackbox === undefined) {
    throw usageError(
      `${relative(root, action.dir)} has no go-blackbox style (no Go binary for --native to run): deploy ${action.styles.map((s) => s.image).join(', ')} with --docker instead (docs/deploy.md)`,
    );
  }
  if (options.build || !existsSync(blackbox.artifact)) {
    progress(`building ${action.name} (turbo run build --filter=${action.packageName}) …`);
    await runTurbo(root, 'build', action.packageName, progress, signal);
    if (!existsSync(blackbox.artifact)) {
      throw new CliError(
        `the build of ${action.packageName} made no ${blackbox.artifact}: check its build script`,
      );
    }
  }
  const binary = await readFile(blackbox.artifact);
  const zip = execZip(binary);
  const path = options.out ?? join(action.dir, 'dist', 'exec.zip');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, zip);
  return { path, zipBytes: zip.length, binaryBytes: binary.length };
}
