import { join } from 'node:path';
import { execa } from 'execa';
import { CliError } from './errors.js';

export type Progress = (line: string) => void;

/**
 * turbo's line when a task really runs: `@owkit/runtime:build: cache miss, executing 5b5b…`, or
 * `… cache bypass, force executing …` for the image tasks, which are never cached.
 */
const TASK_STARTS = /^(\S+):(\w+): cache (?:miss|bypass), (?:force )?executing\b/;

/**
 * Runs a turbo task for one package and what it depends on (its base images, the runtime, the
 * proxy). Each task that really runs (not a cache hit) is a progress line, since a first image
 * build takes a while; on failure the tail of turbo's output is the error's detail.
 */
export async function runTurbo(
  root: string,
  task: 'build' | 'image',
  packageName: string,
  progress: Progress,
  signal?: AbortSignal,
): Promise<string> {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const subprocess = execa(
    turbo,
    ['run', task, `--filter=${packageName}`, '--output-logs=full', '--log-prefix=task'],
    {
      cwd: root,
      reject: false,
      all: true,
      stdin: 'ignore',
      env: { TURBO_TELEMETRY_DISABLED: '1' },
      ...(signal === undefined ? {} : { cancelSignal: signal }),
    },
  );
  let partial = '';
  subprocess.all?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const started = TASK_STARTS.exec(line);
      if (started !== null) progress(`  ${started[2]} ${started[1]} …`);
    }
  });
  const result = await subprocess;
  if (signal?.aborted) throw signal.reason;
  const output = result.all ?? '';
  if (result.failed && result.exitCode === undefined) {
    throw new CliError(
      `cannot run ${turbo}: ${result.shortMessage}; run npm test or pnpm install first, which installs it`,
    );
  }
  if (result.exitCode !== 0) {
    throw new CliError(
      `turbo run ${task} --filter=${packageName} failed: fix the build (output below), then run the command again`,
      { detail: tail(output, 30) },
    );
  }
  return output;
}

export function tail(text: string, lines: number): string {
  return text.split('\n').filter(Boolean).slice(-lines).join('\n');
}
