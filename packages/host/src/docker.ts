import { randomBytes } from 'node:crypto';
import { execa, execaSync } from 'execa';
import { DockerCommandError, StartError } from './errors.js';
import { invokerLimitArgs } from './invoker-limits.js';
import { freePort, urlFor, waitForPort } from './ports.js';

const DOCKER_INFO_TIMEOUT_MS = 5_000;
/** The label of every container started here unless told otherwise, so leftovers are easy to find. */
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

/**
 * Which engine a command goes to: the default one (DOCKER_HOST or the local socket), or another
 * by its address (`unix:///run/owkit/docker.sock`), e.g. a throw-away engine with an empty image
 * store for pulls that must start from nothing.
 */
export interface EngineOptions {
  /** The engine's address, passed as `docker -H`; the default engine when omitted. */
  host?: string;
}

export interface DockerCommandOptions extends EngineOptions {
  /** Kills the command after this long; a failure names the command. */
  timeoutMs?: number;
  /** Environment for the docker client, added to the parent's. */
  env?: Record<string, string>;
}

/**
 * Runs `docker args…` against one engine and resolves with its stdout, trimmed; any failure is
 * a DockerCommandError carrying what docker said. The one runner every function here uses.
 */
export async function dockerCommand(
  args: readonly string[],
  options: DockerCommandOptions = {},
): Promise<string> {
  const result = await execa('docker', [...engineArgs(options), ...args], {
    reject: false,
    stdin: 'ignore',
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  if (result.exitCode !== 0) {
    const detail = result.timedOut
      ? `no answer within ${options.timeoutMs} ms`
      : result.stderr || result.stdout || String(result.exitCode);
    throw new DockerCommandError([...args], detail);
  }
  return result.stdout.trim();
}

function engineArgs(options: EngineOptions): string[] {
  return options.host === undefined ? [] : ['-H', options.host];
}

const docker = (args: string[], env?: Record<string, string>) =>
  dockerCommand(args, env === undefined ? {} : { env });

/** Whether the engine answers `docker info` within `timeoutMs`; asked afresh every time. */
export async function engineAnswers(
  options: EngineOptions & { timeoutMs?: number } = {},
): Promise<boolean> {
  const version = await dockerCommand(['info', '--format', '{{.ServerVersion}}'], {
    ...options,
    timeoutMs: options.timeoutMs ?? DOCKER_INFO_TIMEOUT_MS,
  }).catch(() => '');
  return version !== '';
}

/** The engine's version (`docker version`), for a report. */
export function engineVersion(options: EngineOptions = {}): Promise<string> {
  return dockerCommand(['version', '--format', '{{.Server.Version}}'], options);
}

/** How long a healthy engine may take to answer `docker version`. */
const ENGINE_ANSWER_MS = 10_000;

/**
 * Why no Docker engine can be used from here, as one line that says what to do; undefined when
 * one answers. Asked before anything is built, so a missing engine is named at once.
 */
export async function dockerEngineProblem(): Promise<string | undefined> {
  const result = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
    reject: false,
    stdin: 'ignore',
    timeout: ENGINE_ANSWER_MS,
  });
  if (result.exitCode === 0) return undefined;
  if (result.timedOut) {
    return `the Docker engine did not answer within ${ENGINE_ANSWER_MS / 1000} s (docker version): check that dockerd is healthy`;
  }
  if (result.exitCode === undefined) {
    return 'the docker command is not installed: install Docker (Debian: apt-get install docker.io)';
  }
  if (/permission denied/i.test(result.stderr)) {
    return (await inDockerGroupFile())
      ? 'permission denied on the Docker socket: you were added to the docker group after logging in; log out and back in (or run newgrp docker)'
      : 'permission denied on the Docker socket: add yourself to the docker group (sudo usermod -aG docker $USER), then log out and back in';
  }
  const reason = result.stderr.trim().split('\n').at(-1) ?? '';
  return `no Docker engine answers (${reason}): start one (sudo dockerd, or see .ci/run)`;
}

/** Whether /etc/group lists this user in `docker`, though the running session may not have it. */
async function inDockerGroupFile(): Promise<boolean> {
  const user = process.env.USER ?? process.env.LOGNAME;
  if (user === undefined) return false;
  const result = await execa('getent', ['group', 'docker'], { reject: false, stdin: 'ignore' });
  const members = result.stdout.trim().split(':')[3] ?? '';
  return members.split(',').includes(user);
}

export async function imageExists(image: string, options: EngineOptions = {}): Promise<boolean> {
  const result = await execa(
    'docker',
    [...engineArgs(options), 'image', 'inspect', '--format', '{{.Id}}', image],
    { reject: false, stdin: 'ignore' },
  );
  return result.exitCode === 0;
}

/** The image's uncompressed size in bytes, as `docker image ls` counts it. */
export async function imageBytes(image: string, options: EngineOptions = {}): Promise<number> {
  const size = Number(
    await dockerCommand(['image', 'inspect', '--format', '{{.Size}}', image], options),
  );
  if (!Number.isSafeInteger(size)) throw new Error(`docker reported no size for ${image}`);
  return size;
}

export interface ImageFacts {
  id: string;
  /** Uncompressed, as `docker image ls` counts it. */
  sizeBytes: number;
  /** Uncompressed layer digests, base layers first. */
  layerDiffIds: string[];
  /** Every `name:tag` pointing at the image. */
  tags: string[];
}

export async function inspectImage(
  image: string,
  options: EngineOptions = {},
): Promise<ImageFacts> {
  const raw = await dockerCommand(['image', 'inspect', '--format', '{{json .}}', image], options);
  const facts = JSON.parse(raw) as {
    Id: string;
    Size: number;
    RootFS?: { Layers?: string[] };
    RepoTags?: string[] | null;
  };
  return {
    id: facts.Id,
    sizeBytes: facts.Size,
    layerDiffIds: facts.RootFS?.Layers ?? [],
    tags: facts.RepoTags ?? [],
  };
}

export async function tagImage(
  source: string,
  target: string,
  options: EngineOptions = {},
): Promise<void> {
  await dockerCommand(['tag', source, target], options);
}

/** How long a push or a pull on loopback may take before it counts as stuck. */
const TRANSFER_TIMEOUT_MS = 600_000;

export async function pushImage(image: string, options: EngineOptions = {}): Promise<void> {
  await dockerCommand(['push', image], { ...options, timeoutMs: TRANSFER_TIMEOUT_MS });
}

export async function pullImage(image: string, options: EngineOptions = {}): Promise<void> {
  await dockerCommand(['pull', '--quiet', image], { ...options, timeoutMs: TRANSFER_TIMEOUT_MS });
}

/**
 * Removes images by name or id. Without `force` a name that other tags share only loses the
 * tag, and an image a container uses stays (the command fails).
 */
export async function removeImages(
  images: readonly string[],
  options: EngineOptions & { force?: boolean } = {},
): Promise<void> {
  if (images.length === 0) return;
  await dockerCommand(['rmi', ...(options.force ? ['--force'] : []), ...images], options);
}

/** Removes every container carrying the `key=value` label, running or not. */
export async function removeLabelledContainers(
  label: string,
  options: EngineOptions = {},
): Promise<void> {
  const ids = (
    await dockerCommand(['ps', '--all', '--quiet', '--filter', `label=${label}`], options)
  )
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await dockerCommand(['rm', '--force', '--volumes', ...ids], options);
}

/** Whether a container runs, and its main process's pid on the host (0 when it does not run). */
export async function containerState(
  id: string,
  options: EngineOptions = {},
): Promise<{ running: boolean; pid: number }> {
  const raw = await dockerCommand(
    ['inspect', '--format', '{{.State.Running}} {{.State.Pid}}', id],
    options,
  );
  const [running, pid] = raw.split(' ');
  return { running: running === 'true', pid: Number(pid) };
}

export interface BuildImageOptions extends EngineOptions {
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
  await dockerCommand(args, {
    env: { DOCKER_BUILDKIT: '0' },
    timeoutMs: TRANSFER_TIMEOUT_MS,
    ...(options.host === undefined ? {} : { host: options.host }),
  });
}

export interface StartContainerOptions {
  env?: Record<string, string>;
  /** The port the container must listen on (host network); a free one when omitted. */
  port?: number;
  /** The action's memory limit in MB (`wsk action create --memory`); the invoker's default otherwise. */
  memoryMb?: number;
  /**
   * Extra `docker run` arguments, placed after the invoker's limits and before the image (e.g.
   * `['--read-only', '--tmpfs', '/tmp']`).
   */
  extraArgs?: readonly string[];
  /** The container's name; `owkit-<random>` when omitted, so an interrupted start can be undone. */
  name?: string;
  /** A `key=value` label to find leftovers by; TEST_LABEL when omitted. */
  label?: string;
  readyTimeoutMs?: number;
  /** Gives up the start (Ctrl-C): the container is removed and the promise rejects with the reason. */
  signal?: AbortSignal;
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
  name: string;
  port: number;
  url: string;
  /** The `docker run` arguments it was started with, for a report. */
  args: readonly string[];
  /** Both streams so far; with `timestamps`, each line starts with Docker's RFC 3339 time. */
  logs(options?: { timestamps?: boolean }): Promise<ContainerLogs>;
  /** `docker stop -t timeoutSeconds`, then removes the container; logs stay readable. */
  stop(timeoutSeconds?: number): Promise<StopResult>;
  /** Removes the container at once, running or not. Safe to call more than once. */
  remove(): Promise<void>;
}

const liveContainers = new Set<string>();

function containerName(): string {
  return `owkit-${randomBytes(6).toString('hex')}`;
}

/** `docker run --detach` on the host network, named and labelled, under the invoker's limits. */
function runArgs(
  image: string,
  options: Omit<StartContainerOptions, 'readyTimeoutMs' | 'signal'>,
  port: number,
  name: string,
): string[] {
  const args = ['run', '--detach', '--network', 'host', '--name', name];
  args.push('--label', options.label ?? TEST_LABEL);
  args.push(...invokerLimitArgs(options.memoryMb));
  args.push('--env', `PORT=${port}`);
  for (const [key, value] of Object.entries(options.env ?? {}))
    args.push('--env', `${key}=${value}`);
  args.push(...(options.extraArgs ?? []), image);
  return args;
}

export type RunContainerOptions = Omit<StartContainerOptions, 'readyTimeoutMs' | 'signal'> &
  EngineOptions;

export interface DetachedContainer {
  id: string;
  name: string;
  port: number;
  url: string;
  args: readonly string[];
  /** Removes the container at once, running or not. Safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Starts a container as startContainer does (the same arguments, the invoker's limits always)
 * but resolves as soon as `docker run --detach` returns, without waiting for the port: for a
 * caller that times the wait itself (the bench's cold starts), or runs it on another engine
 * (`host`). A container on the default engine is removed at exit if still there; one on another
 * engine goes with that engine.
 */
export async function runContainer(
  image: string,
  options: RunContainerOptions = {},
): Promise<DetachedContainer> {
  const port = options.port ?? (await freePort());
  const name = options.name ?? containerName();
  const args = runArgs(image, options, port, name);
  const tracked = options.host === undefined;
  if (tracked) {
    installExitHook();
    liveContainers.add(name);
  }
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    const result = await execa(
      'docker',
      [...engineArgs(options), 'rm', '--force', '--volumes', name],
      { reject: false, stdin: 'ignore' },
    );
    if (result.exitCode !== 0 && !/No such container/i.test(result.stderr)) {
      throw new DockerCommandError(['rm', '--force', name], result.stderr);
    }
    removed = true;
    liveContainers.delete(name);
  };
  let id: string;
  try {
    // Only the engine: `options.env` is the container's environment, not the client's.
    id = await dockerCommand(args, options.host === undefined ? {} : { host: options.host });
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  return { id, name, port, url: urlFor(port), args, remove };
}
let exitHookInstalled = false;

/**
 * `docker run -d --network host -e PORT=<port>` under the invoker's limits (invokerLimitArgs,
 * always), and resolves once the port accepts connections. A container that exits first, never
 * listens, or whose start is aborted is removed before the promise rejects.
 */
export async function startContainer(
  image: string,
  options: StartContainerOptions = {},
): Promise<RunningContainer> {
  installExitHook();
  const { signal } = options;
  signal?.throwIfAborted();
  const port = options.port ?? (await freePort());
  const name = options.name ?? containerName();
  const args = runArgs(image, options, port, name);

  // Known by name before `docker run` returns: an abort meanwhile still removes what it creates.
  liveContainers.add(name);
  const remove = async (): Promise<void> => {
    if (!liveContainers.has(name)) return;
    const result = await execa('docker', ['rm', '--force', '--volumes', name], {
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0 && !/No such container/i.test(result.stderr)) {
      throw new DockerCommandError(['rm', '--force', name], result.stderr);
    }
    liveContainers.delete(name);
  };
  let id: string;
  try {
    id = await docker(args);
    signal?.throwIfAborted();
  } catch (error) {
    await remove();
    throw error;
  }

  let finalLogs: ContainerLogs | undefined;
  const readLogs = async (logOptions: { timestamps?: boolean } = {}): Promise<ContainerLogs> => {
    if (finalLogs !== undefined && !logOptions.timestamps) return finalLogs;
    const logArgs = ['logs', ...(logOptions.timestamps ? ['--timestamps'] : []), name];
    const result = await execa('docker', logArgs, {
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    if (result.exitCode !== 0) throw new DockerCommandError(logArgs, result.stderr);
    return { stdout: result.stdout, stderr: result.stderr };
  };

  await waitUntilListening(
    { id, image, port, timeoutMs: options.readyTimeoutMs ?? 15_000, signal },
    readLogs,
    remove,
  );

  return {
    id,
    name,
    port,
    url: urlFor(port),
    args,
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

interface Waiting {
  id: string;
  image: string;
  port: number;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * Waits for the port, but gives up as soon as the container exits, with its logs in the error;
 * on an abort, removes the container and rejects with the signal's reason.
 */
async function waitUntilListening(
  { id, image, port, timeoutMs, signal }: Waiting,
  readLogs: () => Promise<ContainerLogs>,
  remove: () => Promise<void>,
): Promise<void> {
  const stopWaiting = new AbortController();
  const waiter = execa('docker', ['wait', id], {
    reject: false,
    stdin: 'ignore',
    cancelSignal: stopWaiting.signal,
  });
  let exitCode: number | undefined;
  const exited = waiter.then((result) => {
    if (!stopWaiting.signal.aborted) {
      exitCode = Number(result.stdout.trim());
      stopWaiting.abort();
    }
  });
  const giveUp =
    signal === undefined ? stopWaiting.signal : AbortSignal.any([stopWaiting.signal, signal]);
  try {
    await waitForPort(port, timeoutMs, { signal: giveUp });
  } catch (error) {
    if (signal?.aborted) {
      await remove();
      throw signal.reason;
    }
    // Read before the removal below, which ends `docker wait` with an exit code of its own.
    const exitedWith = exitCode;
    const logs = await readLogs().catch((logError: unknown) => ({
      stdout: '',
      stderr: `(logs unavailable: ${String(logError)})`,
    }));
    await remove();
    const short = `container ${id.slice(0, 12)} (${image})`;
    const reason =
      exitedWith === undefined
        ? `${short} did not listen on port ${port} within ${timeoutMs} ms`
        : `${short} exited with code ${exitedWith} before listening on port ${port}`;
    throw new StartError(`${reason}\nstdout:\n${logs.stdout}\nstderr:\n${logs.stderr}`, {
      cause: error,
      ...(exitedWith === undefined ? {} : { exitCode: exitedWith }),
      ...logs,
    });
  } finally {
    if (!stopWaiting.signal.aborted) stopWaiting.abort();
    await exited;
  }
}

/** Containers outlive the process that started them unless removed: remove what is left. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    if (liveContainers.size === 0) return;
    execaSync('docker', ['rm', '--force', ...liveContainers], { reject: false, stdin: 'ignore' });
  });
}
