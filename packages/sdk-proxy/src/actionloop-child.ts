import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import {
  type Activation,
  LARGE_BODY_BYTES,
  type LogStreams,
  MESSAGES,
  ProtocolError,
} from '@owkit/protocol';
import { LONGEST_TIMER_MS } from './action-code.js';
import { STREAM_GRACE_MS } from './blackbox-engine.js';
import type { Launch } from './launch.js';
import { PROXY_MESSAGES } from './messages.js';
import { LineForwarder, LineReader } from './output.js';
import { type ProcessTrees, preferForOomKill } from './process-tree.js';
import { environmentProblem, meansNotRunnable, spawnFailure } from './spawn-check.js';

export interface ActionloopChildOptions {
  launch: Launch;
  cwd: string;
  env: Record<string, string>;
  logs: LogStreams;
  outputLimitBytes: number;
  /** Wait for `{"ok":true}` on fd 3 before the child counts as ready. */
  waitForAck: boolean;
  startupTimeoutMs: number;
  /** Tags the child's tree and kills all of it when the child must go. */
  trees: ProcessTrees;
}

/** Why an actionloop child did not become ready; the details are already in the logs. */
export class ChildStartError extends Error {
  /** True when there was nothing to run at all (no executable, or not executable). */
  readonly notRunnable: boolean;

  constructor(message: string, notRunnable: boolean) {
    super(message);
    this.name = 'ChildStartError';
    this.notRunnable = notRunnable;
  }
}

export interface ActionloopChild {
  /** Settles once the child can take activations; rejects with a ChildStartError. */
  readonly ready: Promise<void>;
  readonly alive: boolean;
  /**
   * Sends the activation's body (compact JSON, no newline) as one line and resolves to the
   * result line; the activation's bytes are released once the pipe has taken them.
   */
  run(request: Activation, waitMs: number): Promise<Buffer>;
  /** Kills the child's process group and waits until its pipes are closed. */
  kill(): Promise<void>;
}

interface CurrentActivation {
  resolve(line: Buffer): void;
  reject(error: Error): void;
  stoppedBecause?: ProtocolError;
  timer?: NodeJS.Timeout;
}

/**
 * One persistent action process for actionloop mode: requests go in on stdin one line each, results
 * come back on fd 3 one line each, stdout and stderr are the action's logs.
 */
export function startActionloopChild(options: ActionloopChildOptions): ActionloopChild {
  const { logs, outputLimitBytes, trees } = options;
  const problem = environmentProblem(options.env);
  if (problem !== undefined) return unstartable(options, problem, false);
  const { tag, env } = trees.tag(options.env);
  let child: ReturnType<typeof spawnWithResultPipe>;
  try {
    child = spawnWithResultPipe(options, env);
  } catch (error) {
    // Node refuses what it cannot pass on; its message would quote the value (a secret).
    return unstartable(
      options,
      spawnFailure(options.launch.execPath, error),
      meansNotRunnable(error),
    );
  }
  const { pid } = child;
  preferForOomKill(pid);
  trees.started(pid, tag);
  const killTree = () => trees.kill(pid, tag);
  let alive = true;
  let current: CurrentActivation | undefined;
  let markReady: () => void = () => {};
  let failStart: (reason: string, notRunnable?: boolean) => void = () => {};
  let starting = true;
  let retiring = false;

  const ready = new Promise<void>((resolve, reject) => {
    markReady = () => {
      if (!starting) return;
      starting = false;
      clearTimeout(startupTimer);
      resolve();
    };
    failStart = (reason, notRunnable = false) => {
      if (!starting) return;
      starting = false;
      clearTimeout(startupTimer);
      logs.stderr.write(`${options.launch.execPath} could not start: ${reason}\n`);
      killTree();
      reject(new ChildStartError(reason, notRunnable));
    };
  });
  // A rejected start is reported to whoever awaits `ready`; nobody may be waiting yet.
  ready.catch(() => {});
  const startupTimer = options.waitForAck
    ? setTimeout(
        () => failStart(`no {"ok":true} on fd 3 within ${options.startupTimeoutMs} ms`),
        options.startupTimeoutMs,
      )
    : undefined;

  const stopActivation = (error: ProtocolError) => {
    if (current !== undefined && current.stoppedBecause === undefined) {
      current.stoppedBecause = error;
    }
    killTree();
  };
  const tooLarge = (stream: 'stdout' | 'stderr' | 'result') => () => {
    if (current === undefined) {
      logs.stderr.write(
        `${options.launch.execPath} wrote more than ${outputLimitBytes} bytes to ${stream}; stopped.\n`,
      );
    }
    stopActivation(new ProtocolError(502, PROXY_MESSAGES.outputTooLarge(stream, outputLimitBytes)));
  };
  const stdout = new LineForwarder(logs.stdout, outputLimitBytes, tooLarge('stdout'));
  const stderr = new LineForwarder(logs.stderr, outputLimitBytes, tooLarge('stderr'));
  const results = new LineReader(outputLimitBytes, tooLarge('result'), (line) => {
    if (starting && options.waitForAck) {
      if (isAck(line)) markReady();
      else failStart(`expected {"ok":true} on fd 3, got ${line.subarray(0, 200).toString()}`);
      return;
    }
    const activation = current;
    if (activation === undefined || activation.stoppedBecause !== undefined) {
      logs.stderr.write(`${options.launch.execPath} wrote a result nobody asked for; dropped.\n`);
      return;
    }
    current = undefined;
    clearTimeout(activation.timer);
    // Output the child wrote before its result is still in flight in the other pipes: let it
    // reach the logs first, so the sentinels come after it.
    setImmediate(() => {
      stdout.flush();
      stderr.flush();
      activation.resolve(line);
    });
  });

  const fd3 = child.stdio[3] as Readable;
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  fd3.on('data', (chunk: Buffer) => results.push(chunk));
  child.stdin.on('error', () => {
    // The child went away; its exit is reported by the 'close' handler below.
  });

  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.once('spawn', () => {
    if (!options.waitForAck) markReady();
  });
  let graceTimer: NodeJS.Timeout | undefined;
  child.once('exit', (code, signal) => {
    alive = false;
    if (!retiring && current?.stoppedBecause === undefined) {
      logs.stderr.write(
        signal === null
          ? `${options.launch.execPath} exited with code ${code}.\n`
          : `${options.launch.execPath} was killed by ${signal}.\n`,
      );
    }
    // As in blackbox mode: kill what may hold the pipes, cut them only if that missed.
    graceTimer = setTimeout(() => {
      killTree();
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        fd3.destroy();
      }, STREAM_GRACE_MS);
    }, STREAM_GRACE_MS);
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      alive = false;
      clearTimeout(graceTimer);
      trees.ended(pid);
      killTree();
      trees.forget(tag);
      stdout.flush();
      stderr.flush();
      if (pid === undefined) {
        failStart(spawnFailure(options.launch.execPath, spawnError), meansNotRunnable(spawnError));
      } else failStart('it exited before it was ready');
      const activation = current;
      current = undefined;
      if (activation !== undefined) {
        clearTimeout(activation.timer);
        activation.reject(
          activation.stoppedBecause ?? new ProtocolError(502, MESSAGES.processExited),
        );
      }
      resolve();
    });
  });

  return {
    ready,
    get alive() {
      return alive;
    },
    run(request, waitMs) {
      if (!alive) return Promise.reject(new ProtocolError(502, MESSAGES.processExited));
      return new Promise<Buffer>((resolve, reject) => {
        const activation: CurrentActivation = { resolve, reject };
        current = activation;
        stdout.resetCount();
        stderr.resetCount();
        if (Number.isFinite(waitMs)) {
          activation.timer = setTimeout(
            () => stopActivation(new ProtocolError(502, MESSAGES.deadlineExceeded)),
            Math.min(waitMs, LONGEST_TIMER_MS),
          );
        }
        // Two writes, not a concatenation: a 64 MiB body is never copied to add its newline.
        // Only the length is kept: the callback must not hold the body itself.
        const bytes = request.body.length;
        child.stdin.write(request.body);
        child.stdin.write('\n', () => releaseAfterWrite(request, bytes));
      });
    },
    async kill() {
      retiring = true;
      killTree();
      await closed;
    },
  };
}

/**
 * Releases the activation's bytes once the pipe has taken them. A write's callback runs while
 * the pipe's finished write request still holds the buffer it wrote; only on the next turn of
 * the event loop is that request gone and the body collectable. Collected from inside the
 * callback, a 64 MiB body stayed resident beside the child's copy for the whole activation.
 */
function releaseAfterWrite(request: Activation, bytes: number): void {
  if (bytes >= LARGE_BODY_BYTES) setImmediate(() => request.releaseBytes());
  else request.releaseBytes();
}

function spawnWithResultPipe(options: ActionloopChildOptions, env: Record<string, string>) {
  return spawn(options.launch.command, options.launch.args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
}

/** A child that never started: its cause is logged once, and every use reports it. */
function unstartable(
  options: ActionloopChildOptions,
  reason: string,
  notRunnable: boolean,
): ActionloopChild {
  options.logs.stderr.write(`${options.launch.execPath} could not start: ${reason}.\n`);
  const failure = new ChildStartError(reason, notRunnable);
  const ready = Promise.reject(failure);
  ready.catch(() => {});
  return {
    ready,
    alive: false,
    run: () => Promise.reject(failure),
    kill: () => Promise.resolve(),
  };
}

function isAck(line: Buffer): boolean {
  try {
    const message: unknown = JSON.parse(line.toString('utf8'));
    return (
      typeof message === 'object' && message !== null && (message as { ok?: unknown }).ok === true
    );
  } catch {
    return false;
  }
}
