import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { StartError } from './errors.js';
import { freePort, urlFor, waitForPort } from './ports.js';

export interface StartProcessOptions {
  /** Extra environment, added to the parent's. `PORT` is always set from `port`. */
  env?: Record<string, string>;
  /** The port the child must listen on; a free one when omitted. */
  port?: number;
  cwd?: string;
  /** How long the child may take to accept connections. */
  readyTimeoutMs?: number;
  /**
   * Runs the child as the leader of a process group of its own, so that stopping it also ends
   * what it spawned (a proxy's actions), and a Ctrl-C meant for the caller does not reach it.
   */
  group?: boolean;
  /** Gives up the start: the child is killed and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long stop() waits after its signal before it sends SIGKILL (5 s unless told). */
  killAfterMs?: number;
}

export type OutputStream = 'stdout' | 'stderr';

/** One line the child printed, with the time it arrived here (ISO 8601). */
export interface OutputLine {
  time: string;
  stream: OutputStream;
  text: string;
}

export interface RunningProcess {
  pid: number;
  port: number;
  url: string;
  /** Everything the child printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Both streams line by line, in arrival order, a line not yet ended last. */
  lines(): OutputLine[];
  /**
   * Signals the child (its whole group when started with `group`; SIGTERM by default), sends
   * SIGKILL if it is still there after `killAfterMs`, and resolves with its exit code, or null
   * when a signal ended it. Safe to call more than once.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const DEFAULT_KILL_AFTER_MS = 5_000;

interface Exit {
  exitCode: number | null;
  signal: string | null;
  spawnFailure: string | undefined;
}

/** Kill switches of children still running, keyed by pid. */
const liveChildren = new Map<number, () => void>();
let exitHookInstalled = false;

/** Spawns `command args` with PORT set and resolves once its port accepts connections. */
export async function startProcess(
  command: string,
  args: readonly string[] = [],
  options: StartProcessOptions = {},
): Promise<RunningProcess> {
  options.signal?.throwIfAborted();
  installExitHook();
  const port = options.port ?? (await freePort());
  const group = options.group === true;
  const child = execa(command, args, {
    env: { ...options.env, PORT: String(port) },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: group,
  });
  const childPid = child.pid;
  let running = childPid !== undefined;
  // A group outlives its leader when a member ignores the signal the leader exits on: the group
  // is signalled whether the leader still runs or not (a group that is gone answers ESRCH).
  const send = (signal: NodeJS.Signals) => {
    if (childPid === undefined) return;
    if (group) signalGroup(childPid, signal);
    else if (running) child.kill(signal);
  };
  if (childPid !== undefined) liveChildren.set(childPid, () => send('SIGKILL'));

  const output = captureOutput(child);
  const exited: Promise<Exit> = child.then((result) => {
    running = false;
    // A group's members may outlive the leader: the exit hook keeps them until stop() ends them.
    if (childPid !== undefined && !group) liveChildren.delete(childPid);
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      // Set when the command could not be started at all (not found, not executable).
      spawnFailure: childPid === undefined ? result.originalMessage : undefined,
    };
  });

  const describe = `${command} ${args.join(' ')}`.trim();
  const stopWaiting = new AbortController();
  const earlyExit = exited.then((exit) => {
    stopWaiting.abort();
    const { stdout, stderr } = output;
    if (exit.spawnFailure !== undefined) {
      throw new StartError(`cannot start ${describe}: ${exit.spawnFailure}`, {
        spawnFailure: exit.spawnFailure,
        stdout,
        stderr,
      });
    }
    throw new StartError(
      `${describe} exited (code ${exit.exitCode}, signal ${exit.signal}) before listening on port ${port}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      { exitCode: exit.exitCode, stdout, stderr },
    );
  });
  // Whichever of the two loses the race must not surface as an unhandled rejection.
  earlyExit.catch(() => undefined);
  const giveUp =
    options.signal === undefined
      ? stopWaiting.signal
      : AbortSignal.any([stopWaiting.signal, options.signal]);
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  try {
    await Promise.race([waitForPort(port, readyTimeoutMs, { signal: giveUp }), earlyExit]);
  } catch (error) {
    send('SIGKILL');
    await exited;
    // The whole group got SIGKILL: nothing of it is left for the exit hook.
    if (childPid !== undefined) liveChildren.delete(childPid);
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof StartError) throw error;
    throw new StartError(
      `${describe} did not listen on port ${port} within ${readyTimeoutMs} ms\nstderr:\n${output.stderr}`,
      { cause: error, stdout: output.stdout, stderr: output.stderr },
    );
  }

  if (childPid === undefined) throw new StartError(`${describe} has no pid`);

  const killAfterMs = options.killAfterMs ?? DEFAULT_KILL_AFTER_MS;
  return {
    pid: childPid,
    port,
    url: urlFor(port),
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    lines: () => output.lines(),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const killAt = Date.now() + killAfterMs;
      send(signal);
      const killLater = setTimeout(() => send('SIGKILL'), killAfterMs);
      try {
        const { exitCode } = await exited;
        if (group) {
          // The leader is gone; its group ends by the same deadline, or is killed.
          while (groupAlive(childPid) && Date.now() < killAt) await delay(GROUP_POLL_MS);
          send('SIGKILL');
          liveChildren.delete(childPid);
        }
        return exitCode;
      } finally {
        clearTimeout(killLater);
      }
    },
  };
}

interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
  lines(): OutputLine[];
}

/** Keeps both streams whole and line by line, each line stamped with the time it arrived. */
function captureOutput(child: Record<OutputStream, Readable | null>): CapturedOutput {
  const whole: Record<OutputStream, string> = { stdout: '', stderr: '' };
  const partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  const complete: OutputLine[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
      whole[stream] += chunk;
      const parts = (partial[stream] + chunk).split('\n');
      partial[stream] = parts.pop() ?? '';
      const time = new Date().toISOString();
      for (const text of parts) complete.push({ time, stream, text });
    });
  }
  return {
    get stdout() {
      return whole.stdout;
    },
    get stderr() {
      return whole.stderr;
    },
    lines() {
      const time = new Date().toISOString();
      const unended = (['stdout', 'stderr'] as const)
        .filter((stream) => partial[stream] !== '')
        .map((stream) => ({ time, stream, text: partial[stream] }));
      return [...complete, ...unended];
    },
  };
}

/** How often stop() looks whether a group whose leader exited still has members. */
const GROUP_POLL_MS = 20;

function groupAlive(leader: number): boolean {
  try {
    process.kill(-leader, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(leader: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leader, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what a stop wants.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** A test run that ends early must not leave servers holding ports. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const kill of liveChildren.values()) kill();
  });
}
