import { execa, execaSync } from 'execa';
import { DockerCommandError, StartError } from './errors.js';
import { invokerLimitArgs } from './invoker-limits.js';
import { freePort, urlFor, waitForPort } from './ports.js';

const DOCKER_INFO_TIMEOUT_MS = 5_000;
/** Every container started here carries this label, so leftovers are easy to find and remove. */
export const TEST_LABEL = 'owkit.test=1';

let dockerAnswer: boolean | undefined;

/** Whether a Docker engine answers `docker info` within a few seconds (asked once per process). */
export async function dockerAvailable(): Promise<boolean> {
  if (dockerAnswer === undefined) {
    const result = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
      reject: false,
      timeout: DOCKER_INFO_TIMEOUT_MS,
      stdin: 'ignore',
    });
    dockerAnswer ??= result.exitCode === 0 && result.stdout.trim() !== '';
  }
  return dockerAnswer;
}

/**
 * The synchronous twin of dockerAvailable: vitest collects `describe` bodies synchronously, so
 * the decision to run a suite cannot wait for a promise.
 */
export function dockerAvailableSync(): boolean {
  if (dockerAnswer === undefined) {
    const result = execaSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      reject: false,
      timeout: DOCKER_INFO_TIMEOUT_MS,
      stdin: 'ignore',
    });
    dockerAnswer = result.exitCode === 0 && result.stdout.trim() !== '';
  }
  return dockerAnswer;
}

async function docker(args: string[], env?: Record<string, string>): Promise<string> {
  const result = await execa('docker', args, {
    reject: false,
    stdin: 'ignore',
    ...(env === undefined ? {} : { env }),
  });
  if (result.exitCode !== 0) {
    throw new DockerCommandError(args, result.stderr || result.stdout || String(result.exitCode));
  }
  return result.stdout.trim();
}

export async function imageExists(image: string): Promise<boolean> {
  const result = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
    reject: false,
    stdin: 'ignore',
  });
  return result.exitCode === 0;
}

/** The image's uncompressed size in bytes, as `docker image ls` counts it. */
export async function imageBytes(image: string): Promise<number> {
  const size = Number(await docker(['image', 'inspect', '--format', '{{.Size}}', image]));
  if (!Number.isSafeInteger(size)) throw new Error(`docker reported no size for ${image}`);
  return size;
}

export interface BuildImageOptions {
  /** Path of the Dockerfile, when it is not `<contextDir>/Dockerfile`. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
}

/** Builds `contextDir` as `tag` with the classic builder (the only one the CI engine has). */
export async function buildImage(
  contextDir: string,
  tag: string,
  options: BuildImageOptions = {},
): Promise<void> {
  const args = ['build', '--tag', tag];
  if (options.dockerfile !== undefined) args.push('--file', options.dockerfile);
  for (const [name, value] of Object.entries(options.buildArgs ?? {})) {
    args.push('--build-arg', `${name}=${value}`);
  }
  args.push(contextDir);
  await docker(args, { DOCKER_BUILDKIT: '0' });
}

export interface StartContainerOptions {
  env?: Record<string, string>;
  /** The port the container must listen on (host network); a free one when omitted. */
  port?: number;
  /**
   * Extra `docker run` arguments, placed after the invoker's limits and before the image (e.g.
   * `['--read-only', '--tmpfs', '/tmp']`).
   */
  extraArgs?: readonly string[];
  name?: string;
  readyTimeoutMs?: number;
}

export interface ContainerLogs {
  stdout: string;
  stderr: string;
}

export interface StopResult {
  exitCode: number;
  /** Wall time of `docker stop`: how long the container took to exit after SIGTERM. */
  stopMs: number;
}

export interface RunningContainer {
  id: string;
  port: number;
  url: string;
  logs(): Promise<ContainerLogs>;
  /** `docker stop -t timeoutSeconds`, then removes the container; logs stay readable. */
  stop(timeoutSeconds?: number): Promise<StopResult>;
  /** Removes the container at once, running or not. Safe to call more than once. */
  remove(): Promise<void>;
}

const liveContainers = new Set<string>();
let exitHookInstalled = false;

/**
 * `docker run -d --network host -e PORT=<port>` under the invoker's limits (invokerLimitArgs),
 * and resolves once the port accepts connections.
 */
export async function startContainer(
  image: string,
  options: StartContainerOptions = {},
): Promise<RunningContainer> {
  installExitHook();
  const port = options.port ?? (await freePort());
  const args = ['run', '--detach', '--network', 'host', '--label', TEST_LABEL];
  args.push(...invokerLimitArgs());
  args.push('--env', `PORT=${port}`);
  for (const [name, value] of Object.entries(options.env ?? {}))
    args.push('--env', `${name}=${value}`);
  if (options.name !== undefined) args.push('--name', options.name);
  args.push(...(options.extraArgs ?? []), image);

  const id = await docker(args);
  liveContainers.add(id);

  let finalLogs: ContainerLogs | undefined;
  const readLogs = async (): Promise<ContainerLogs> => {
    if (finalLogs !== undefined) return finalLogs;
    const result = await execa('docker', ['logs', id], { reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) throw new DockerCommandError(['logs', id], result.stderr);
    return { stdout: result.stdout, stderr: result.stderr };
  };
  const remove = async (): Promise<void> => {
    if (!liveContainers.has(id)) return;
    const result = await execa('docker', ['rm', '--force', '--volumes', id], {
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0 && !/No such container/i.test(result.stderr)) {
      throw new DockerCommandError(['rm', '--force', id], result.stderr);
    }
    liveContainers.delete(id);
  };

  await waitUntilListening(id, image, port, options.readyTimeoutMs ?? 15_000, readLogs, remove);

  return {
    id,
    port,
    url: urlFor(port),
    logs: readLogs,
    async stop(timeoutSeconds = 10) {
      const startedAt = performance.now();
      await docker(['stop', '--time', String(timeoutSeconds), id]);
      const stopMs = performance.now() - startedAt;
      const exitCode = Number(await docker(['inspect', '--format', '{{.State.ExitCode}}', id]));
      finalLogs = await readLogs();
      await remove();
      return { exitCode, stopMs };
    },
    remove,
  };
}

/** Waits for the port, but gives up as soon as the container exits, with its logs in the error. */
async function waitUntilListening(
  id: string,
  image: string,
  port: number,
  timeoutMs: number,
  readLogs: () => Promise<ContainerLogs>,
  remove: () => Promise<void>,
): Promise<void> {
  const stopWaiting = new AbortController();
  const waiter = execa('docker', ['wait', id], {
    reject: false,
    stdin: 'ignore',
    cancelSignal: stopWaiting.signal,
  });
  const exited = waiter.then((result) => {
    if (!stopWaiting.signal.aborted) {
      stopWaiting.abort();
      throw new StartError(
        `container ${id.slice(0, 12)} (${image}) exited with code ${result.stdout.trim()} before listening on port ${port}`,
      );
    }
  });
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPort(port, timeoutMs, { signal: stopWaiting.signal }), exited]);
  } catch (error) {
    const logs = await readLogs().catch((logError: unknown) => ({
      stdout: '',
      stderr: `(logs unavailable: ${String(logError)})`,
    }));
    await remove();
    const reason =
      error instanceof StartError
        ? error.message
        : `container ${id.slice(0, 12)} (${image}) did not listen on port ${port}`;
    throw new StartError(`${reason}\nstdout:\n${logs.stdout}\nstderr:\n${logs.stderr}`, {
      cause: error,
    });
  } finally {
    if (!stopWaiting.signal.aborted) stopWaiting.abort();
    await waiter;
  }
}

/** Containers outlive the test process unless removed: remove whatever a failed run left. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    if (liveContainers.size === 0) return;
    execaSync('docker', ['rm', '--force', ...liveContainers], { reject: false, stdin: 'ignore' });
  });
}
