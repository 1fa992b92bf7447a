import { execa } from 'execa';
import type { Progress } from '../build.js';
import { tail } from '../build.js';
import { CliError } from '../errors.js';
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
  if (options.install) {
    progress('linking it into the workspace: pnpm install --prefer-offline …');
    const result = await execa('pnpm', ['install', '--prefer-offline'], {
      cwd: root,
      reject: false,
      all: true,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0) {
      throw new CliError(
        `actions/${options.name} was created, but pnpm install --prefer-offline failed: run pnpm install yourself`,
        { detail: tail(result.all ?? '', 20) },
      );
    }
  }
  return generated;
}
