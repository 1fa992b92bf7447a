import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type RunningContainer, startContainer } from '@owkit/host/docker';
import { DockerCommandError, StartError } from '@owkit/host/errors';
import { CliError } from '../errors.js';
import { type LogLine, lastLines, parseDockerLogs, type Stream, toLines } from './logs.js';
import { waitUntilAccepting } from './ports.js';

/** A started action: a container or a local process listening on `port`. */
export interface RunningAction {
  port: number;
  url: string;
  /** The command that started it, for the report. */
  command: string;
  /** Everything it printed so far, both streams. */
  logs(): Promise<LogLine[]>;
  /** Removes the container or ends the process (and its children). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  readyTimeoutMs: number;
  signal?: AbortSignal;
}

/** Containers this CLI starts carry this label and name prefix, so a leftover is easy to spot. */
export const CONTAINER_LABEL = 'owkit.invoke=1';
export const CONTAINER_PREFIX = 'owkit-invoke-';

export interface Runner {
  start(options: StartOptions): Promise<RunningAction>;
  stop(): Promise<void>;
}

/**
 * An action's image as the invoker runs it, through host's startContainer (the invoker's limits
 * always, `memoryMb` the action's memory). An interrupted or failed start removes the container.
 */
export function containerAction(image: string, memoryMb: number): Runner {
  let container: RunningContainer | undefined;
  const stop = async () => {
    await container?.remove();
  };

  async function start(options: StartOptions): Promise<RunningAction> {
    try {
      container = await startContainer(image, {
        port: options.port,
        memoryMb,
        name: `${CONTAINER_PREFIX}${randomBytes(6).toString('hex')}`,
        label: CONTAINER_LABEL,
        extraArgs: ['--pull', 'never'],
        readyTimeoutMs: options.readyTimeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (error instanceof DockerCommandError) {
        throw new CliError(
          `docker run ${image} failed: ${firstLine(error.detail)}; check the image with docker image ls`,
          { cause: error },
        );
      }
      if (!(error instanceof StartError)) throw error;
      const lines = [
        ...toLines(error.stdout, 'stdout', ''),
        ...toLines(error.stderr, 'stderr', ''),
      ];
      const detail = `last log lines of ${image}:\n${lastLines(lines, 15) || '  (none)'}`;
      throw error.exited
        ? new CliError(
            `${image} exited with code ${error.exitCode} before listening on port ${options.port}: see its logs below`,
            { detail },
          )
        : new CliError(
            `${image} did not listen on port ${options.port} within ${options.readyTimeoutMs} ms: check that it serves on $PORT, or raise --ready-timeout`,
            { detail },
          );
    }
    const running = container;
    const logs = async (): Promise<LogLine[]> => {
      const { stdout, stderr } = await running.logs({ timestamps: true }).catch(() => ({
        stdout: '',
        stderr: '',
      }));
      return [...parseDockerLogs(stdout, 'stdout'), ...parseDockerLogs(stderr, 'stderr')];
    };
    return {
      port: running.port,
      url: running.url,
      command: `docker ${running.args.join(' ')}`,
      logs,
      stop,
    };
  }

  return { start, stop };
}

/**
 * A local process in its own process group, so that stopping it also ends what it spawned (the
 * proxy's children).
 */
export function processAction(command: string, args: readonly string[], cwd: string): Runner {
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();
  let exited = false;
  const processExited = new AbortController();
  const lines: LogLine[] = [];
  const partial: Record<Stream, string> = { stdout: '', stderr: '' };
  const commandLine = [command, ...args].join(' ');

  const capture = (stream: Stream) => (chunk: string) => {
    const text = partial[stream] + chunk;
    const parts = text.split('\n');
    partial[stream] = parts.pop() ?? '';
    const time = new Date().toISOString();
    for (const part of parts) lines.push({ time, stream, text: part });
  };
  const logs = async (): Promise<LogLine[]> => {
    const pending = (['stdout', 'stderr'] as const)
      .filter((stream) => partial[stream] !== '')
      .map((stream) => ({ time: new Date().toISOString(), stream, text: partial[stream] }));
    return [...lines, ...pending];
  };
  const stop = async () => {
    if (child?.pid === undefined || exited) return;
    const group = -child.pid;
    signalGroup(group, 'SIGTERM');
    const killLater = setTimeout(() => signalGroup(group, 'SIGKILL'), 5_000);
    await exit;
    clearTimeout(killLater);
  };

  async function start(options: StartOptions): Promise<RunningAction> {
    const spawned = spawn(command, args, {
      cwd,
      env: { ...process.env, PORT: String(options.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child = spawned;
    exit = new Promise((resolve) => {
      spawned.once('close', () => {
        exited = true;
        processExited.abort();
        resolve();
      });
    });
    let spawnError: Error | undefined;
    spawned.once('error', (error) => {
      spawnError = error;
      exited = true;
      processExited.abort();
    });
    spawned.stdout.setEncoding('utf8').on('data', capture('stdout'));
    spawned.stderr.setEncoding('utf8').on('data', capture('stderr'));
    const listening = await waitUntilAccepting(
      options.port,
      options.readyTimeoutMs,
      processExited.signal,
      options.signal,
    );
    if (spawnError !== undefined) {
      throw new CliError(`cannot start ${commandLine}: ${spawnError.message}`);
    }
    if (!listening) {
      const detail = `last log lines:\n${lastLines(await logs(), 15) || '  (none)'}`;
      throw exited
        ? new CliError(
            `${commandLine} exited with code ${spawned.exitCode ?? spawned.signalCode} before listening on port ${options.port}: see its logs below`,
            { detail },
          )
        : new CliError(
            `${commandLine} did not listen on port ${options.port} within ${options.readyTimeoutMs} ms: check that it serves on $PORT, or raise --ready-timeout`,
            { detail },
          );
    }
    return {
      port: options.port,
      url: `http://127.0.0.1:${options.port}`,
      command: `PORT=${options.port} ${commandLine}`,
      logs,
      stop,
    };
  }

  return { start, stop };
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what stopping wants.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
