import { join } from 'node:path';
import { execa } from 'execa';
import { CliError } from './errors.js';

export type Progress = (line: string) => void;

/**
 * Runs a turbo task for one package and what it depends on (its base images, the runtime, the
 * proxy), quietly unless it fails: then the tail of turbo's output is the error's detail.
 */
export async function runTurbo(
  root: string,
  task: 'build' | 'image',
  packageName: string,
  signal?: AbortSignal,
): Promise<void> {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const result = await execa(
    turbo,
    ['run', task, `--filter=${packageName}`, '--output-logs=errors-only', '--log-prefix=none'],
    {
      cwd: root,
      reject: false,
      all: true,
      stdin: 'ignore',
      ...(signal === undefined ? {} : { cancelSignal: signal }),
    },
  );
  if (signal?.aborted) throw signal.reason;
  if (result.exitCode !== 0) {
    throw new CliError(
      `turbo run ${task} --filter=${packageName} failed: fix the build (output below), then run the command again`,
      { detail: tail(result.all ?? '', 30) },
    );
  }
}

export function tail(text: string, lines: number): string {
  return text.split('\n').filter(Boolean).slice(-lines).join('\n');
}
