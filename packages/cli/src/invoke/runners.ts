import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { CliError } from '../errors.js';
import { type LogLine, lastLines, parseDockerLogs, type Stream } from './logs.js';
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

/**
 * An action container, named before it exists: `stop()` can remove it even when `start()` was
 * interrupted halfway through `docker run`.
 */
export function containerAction(
  image: string,
  extraArgs: readonly string[] = [],
): { start(options: StartOptions): Promise<RunningAction>; stop(): Promise<void> } {
  const name = `${CONTAINER_PREFIX}${randomBytes(6).toString('hex')}`;
  let started = false;
  let dockerRun: Promise<unknown> = Promise.resolve();
  const stop = async () => {
    if (!started) return;
    // An interrupted start may still be inside `docker run`: remove what it creates.
    await dockerRun.catch(() => undefined);
    const result = await execa('docker', ['rm', '--force', '--volumes', name], {
      reject: false,
      stdin: 'ignore',
    });
    if (result.exitCode !== 0 && !/No such container/i.test(result.stderr)) {
      throw new CliError(`could not remove container ${name}: ${result.stderr.trim()}`);
    }
    started = false;
  };
  const logs = async (): Promise<LogLine[]> => {
    const result = await execa('docker', ['logs', '--timestamps', name], {
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    if (result.exitCode !== 0) return [];
    return [
      ...parseDockerLogs(result.stdout, 'stdout'),
      ...parseDockerLogs(result.stderr, 'stderr'),
    ];
  };

  async function start(options: StartOptions): Promise<RunningAction> {
    const args = [
      'run',
      '--detach',
      '--network',
      'host',
      '--pull',
      'never',
      '--name',
      name,
      '--label',
      CONTAINER_LABEL,
      '--env',
      `PORT=${options.port}`,
      ...extraArgs,
      image,
    ];
    const command = `docker ${args.join(' ')}`;
    started = true;
    const running = execa('docker', args, { reject: false, stdin: 'ignore' });
    dockerRun = running;
    const run = await running;
    options.signal?.throwIfAborted();
    if (run.exitCode !== 0) {
      throw new CliError(
        `docker run ${image} failed: ${firstLine(run.stderr)}; check the image with docker image ls`,
      );
    }

    // `docker wait` returns when the container exits: no point polling its port after that.
    const stopWaiting = new AbortController();
    const containerExited = new AbortController();
    let exitCode: string | undefined;
    const waiter = execa('docker', ['wait', name], {
      reject: false,
      stdin: 'ignore',
      cancelSignal: stopWaiting.signal,
    }).then((result) => {
      if (stopWaiting.signal.aborted) return;
      exitCode = result.stdout.trim() || '?';
      containerExited.abort();
    });
    let listening: boolean;
    try {
      listening = await waitUntilAccepting(
        options.port,
        options.readyTimeoutMs,
        containerExited.signal,
        options.signal,
      );
    } finally {
      stopWaiting.abort();
      await waiter;
    }
    if (!listening) {
      const detail = `last log lines of ${image}:\n${lastLines(await logs(), 15) || '  (none)'}`;
      throw exitCode === undefined
        ? new CliError(
            `${image} did not listen on port ${options.port} within ${options.readyTimeoutMs} ms: check that it serves on $PORT, or raise --ready-timeout`,
            { detail },
          )
        : new CliError(
            `${image} exited with code ${exitCode} before listening on port ${options.port}: see its logs below`,
            { detail },
          );
    }
    return { port: options.port, url: `http://127.0.0.1:${options.port}`, command, logs, stop };
  }

  return { start, stop };
}

/**
 * A local process in its own process group, so that stopping it also ends what it spawned (the
 * proxy's children).
 */
export function processAction(
  command: string,
  args: readonly string[],
  cwd: string,
): { start(options: StartOptions): Promise<RunningAction>; stop(): Promise<void> } {
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
