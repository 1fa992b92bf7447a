import { dockerEngineProblem } from '@owkit/host/docker';
import type { Progress } from '../build.js';
import { CliError } from '../errors.js';
import type { Style } from '../styles.js';
import { containerAction, processAction, type Runner } from './runners.js';
import {
  ensureImage,
  ensureLocalBuild,
  localCommand,
  resolveTarget,
  type Target,
} from './target.js';

/** What `pnpm invoke` and `pnpm dev` both say about the action to run. */
export interface PrepareOptions {
  /** An action folder under actions/, or an image reference. */
  target: string;
  style: Style | undefined;
  process: boolean;
  build: boolean;
  /** The container's memory limit in MB. */
  memory: number;
}

/**
 * Everything before the action starts, the same for invoke and dev: a Docker engine that answers
 * (unless --process), the target, its image or local build made when missing, and the runner.
 */
export async function prepareAction(
  options: PrepareOptions,
  environment: { root: string; progress: Progress; signal?: AbortSignal },
): Promise<{ target: Target; runner: Runner }> {
  const { root, progress, signal } = environment;
  if (!options.process) {
    const problem = await dockerEngineProblem();
    if (problem !== undefined) {
      throw new CliError(
        `${problem}; or run the action without Docker, as a local process, by adding --process`,
      );
    }
  }
  const target = await resolveTarget(root, options.target, options.style);
  if (options.process) {
    const { action, style } = await ensureLocalBuild(root, target, options.build, progress, signal);
    const local = localCommand(root, action, style);
    return { target, runner: processAction(local.command, local.args, local.cwd) };
  }
  await ensureImage(root, target, options.build, progress, signal);
  return { target, runner: containerAction(target.image, options.memory) };
}
