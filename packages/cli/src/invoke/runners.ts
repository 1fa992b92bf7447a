import { randomBytes } from 'node:crypto';
import { type RunningContainer, startContainer } from '@owkit/host/docker';
import { DockerCommandError, StartError } from '@owkit/host/errors';
import { type RunningProcess, startProcess } from '@owkit/host/process';
import { CliError } from '../errors.js';
import { type LogLine, lastLines, parseDockerLogs, toLines } from './logs.js';

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
      throw notListening(image, `last log lines of ${image}`, error, options);
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
 * A local process through host's startProcess, in its own process group so that stopping it
 * also ends what it spawned (the proxy's actions); each line keeps the time it arrived.
 */
export function processAction(command: string, args: readonly string[], cwd: string): Runner {
  let running: RunningProcess | undefined;
  const commandLine = [command, ...args].join(' ');
  const stop = async () => {
    await running?.stop();
  };

  async function start(options: StartOptions): Promise<RunningAction> {
    try {
      running = await startProcess(command, args, {
        cwd,
        port: options.port,
        group: true,
        readyTimeoutMs: options.readyTimeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (!(error instanceof StartError)) throw error;
      if (error.spawnFailure !== undefined) {
        throw new CliError(`cannot start ${commandLine}: ${error.spawnFailure}`, { cause: error });
      }
      throw notListening(commandLine, 'last log lines', error, options);
    }
    const started = running;
    return {
      port: started.port,
      url: started.url,
      command: `PORT=${started.port} ${commandLine}`,
      logs: async () => started.lines(),
      stop,
    };
  }

  return { start, stop };
}

/** A container or process that exited, or kept running, without listening: the cause and its log tail. */
function notListening(
  what: string,
  logsTitle: string,
  error: StartError,
  options: StartOptions,
): CliError {
  const lines = [...toLines(error.stdout, 'stdout', ''), ...toLines(error.stderr, 'stderr', '')];
  const detail = `${logsTitle}:\n${lastLines(lines, 15) || '  (none)'}`;
  return error.exited
    ? new CliError(
        `${what} exited with code ${error.exitCode} before listening on port ${options.port}: see its logs below`,
        { detail },
      )
    : new CliError(
        `${what} did not listen on port ${options.port} within ${options.readyTimeoutMs} ms: check that it serves on $PORT, or raise --ready-timeout`,
        { detail },
      );
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
