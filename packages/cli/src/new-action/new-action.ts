import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Progress } from '../build.js';
import { tail } from '../build.js';
import { CliError } from '../errors.js';
import { isGoStyle, runStyleOf } from '../styles.js';
import { type Generated, generateAction } from './generate.js';
import type { NewActionOptions } from './options.js';

/** `pnpm new-action`: generate, then link the package so turbo and its build can see it. */
export async function newAction(
  options: NewActionOptions,
  root: string,
  progress: Progress,
): Promise<Generated> {
  const generated = await generateAction({
    name: options.name,
    style: options.style,
    templatesRoot: root,
    workspaceRoot: root,
  });
  progress(`created actions/${options.name} (${generated.files.length} files)`);
  if (isGoStyle(runStyleOf(options.style))) progress(`added ./actions/${options.name} to go.work`);
  if (options.install) {
    const pnpm = pnpmCommand(root);
    progress(`linking it into the workspace: ${pnpm.join(' ')} install --prefer-offline …`);
    const [command = 'pnpm', ...prefix] = pnpm;
    const result = await execa(command, [...prefix, 'install', '--prefer-offline'], {
      cwd: root,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0) {
      throw new CliError(
        `actions/${options.name} was created, but ${pnpm.join(' ')} install --prefer-offline failed: run pnpm install yourself`,
        { detail: tail(result.all ?? '', 20) },
      );
    }
  }
  return generated;
}

/**
 * The pnpm that ran this command (`pnpm new-action`, or the one `npm run` bootstrapped), so a
 * machine without pnpm on PATH links the package with the same pinned version.
 */
function pnpmCommand(root: string): string[] {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /pnpm/.test(execPath)) {
    // pnpm 12 is a native executable; older ones a script for node.
    return /\.[cm]?js$/.test(execPath) ? [process.execPath, execPath] : [execPath];
  }
  const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    packageManager?: string;
  };
  return ['npx', '--yes', packageManager ?? 'pnpm'];
}
