import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import {
  type ActionEngine,
  type Activation,
  type InitRequest,
  MESSAGES,
  ProtocolError,
} from '@owkit/protocol';
import { LONGEST_TIMER_MS, prepareAction, timeLeft } from './action-code.js';
import type { EngineOptions } from './engine-options.js';
import { directLaunch, type Launch } from './launch.js';
import { PROXY_MESSAGES } from './messages.js';
import { LastLineCapture, LineForwarder } from './output.js';
import { ProcessTrees, preferForOomKill } from './process-tree.js';
import { parseResultLine } from './result.js';
import { environmentProblem, MAX_ARGUMENT_BYTES, spawnFailure } from './spawn-check.js';
import { type ChildEvents, defaultSpawnHelperPath, SpawnHelper } from './spawn-helper.js';

export { MAX_ARGUMENT_BYTES } from './spawn-check.js';

/**
 * Set in the child's environment when the params come on stdin only (too large for argv): their
 * exact size in bytes, so that a child can read them into one buffer of that size rather than
 * one that grows as they arrive (owkit's Go runtime does; any other child may ignore it).
 */
export const PARAMS_BYTES_VARIABLE = 'OWKIT_PARAMS_BYTES';

/** How long a child's pipes may stay open after it exited (a grandchild holding them). */
export const STREAM_GRACE_MS = 100;

export interface BlackboxOptions extends EngineOptions {
  streamGraceMs?: number;
  /**
   * How children are started: `auto` through owkit-spawn when it sits beside the proxy (else
   * Node's spawn), `off` always Node's spawn, or the helper's path.
   */
  spawnHelper?: string;
}

type Outcome =
  | { kind: 'exited'; resultLine: Buffer }
  | { kind: 'deadline' }
  | { kind: 'too-large'; stream: 'stdout' | 'stderr' }
  | { kind: 'not-started'; reason: string };

/**
 * The dockerskeleton contract: every `/run` spawns the executable afresh, in a process group of
 * its own so that it and everything it forked can be killed together.
 */
export function createBlackboxEngine(options: BlackboxOptions): ActionEngine {
  const { logs, outputLimitBytes, timeoutMs } = options;
  /** Where /init put the executable (it moves under a read-only root) and how to start it. */
  let launch = directLaunch(options.execPath);
  let cwd = dirname(launch.execPath);
  const graceMs = options.streamGraceMs ?? STREAM_GRACE_MS;
  const running = new Set<Promise<Outcome>>();
  /** Each running child's pid (when it has one) by its tree tag. */
  const trees = new Map<string, number | undefined>();
  const processTrees = new ProcessTrees(options.treeKill);
  let initEnv: Record<string, string> = {};

  const helperPath =
    options.spawnHelper === 'off'
      ? undefined
      : options.spawnHelper === 'auto' || options.spawnHelper === undefined
        ? defaultSpawnHelperPath()
        : options.spawnHelper;
  const helper = helperPath === undefined ? undefined : new SpawnHelper(helperPath, options.env);
  /** Checked once: per activation only what `/init` and the activation add is checked. */
  const baseEnvProblem = environmentProblem(options.env);

  /**
   * The child gets the request's `value` as sent (compact JSON), on argv and stdin. It starts
   * through the spawn helper when there is one and the params fit in argv; params that come on
   * stdin only (up to 64 MiB) go through Node's own spawn, so that no third copy of them is held.
   */
  function spawnAndWatch(
    activation: Activation,
    overrides: Record<string, string>,
    waitMs: number,
  ) {
    return new Promise<Outcome>((resolve) => {
      const problem = environmentProblem(
        baseEnvProblem === undefined ? overrides : { ...options.env, ...overrides },
      );
      if (problem !== undefined) {
        resolve({ kind: 'not-started', reason: problem });
        return;
      }
      const { tag, env: taggedOverrides } = processTrees.tag(overrides);
      let pid: number | undefined;
      let stopped: Outcome | undefined;
      let cut = () => {};
      const stop = (why: Outcome) => {
        if (stopped !== undefined) return;
        stopped = why;
        processTrees.kill(pid, tag);
      };
      const stdout = new LastLineCapture(logs.stdout, outputLimitBytes, () =>
        stop({ kind: 'too-large', stream: 'stdout' }),
      );
      const stderr = new LineForwarder(logs.stderr, outputLimitBytes, () =>
        stop({ kind: 'too-large', stream: 'stderr' }),
      );
      const deadlineTimer = Number.isFinite(waitMs)
        ? setTimeout(() => stop({ kind: 'deadline' }), Math.min(waitMs, LONGEST_TIMER_MS))
        : undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      const events: ChildEvents = {
        started(childPid) {
          pid = childPid;
          processTrees.started(pid, tag);
          trees.set(tag, pid);
          // The deadline passed before the pid was known: the sweep found the tag, now the group.
          if (stopped !== undefined) processTrees.kill(pid, tag);
        },
        failed(error) {
          clearTimeout(deadlineTimer);
          processTrees.ended(pid);
          processTrees.kill(pid, tag);
          processTrees.forget(tag);
          trees.delete(tag);
          resolve({ kind: 'not-started', reason: spawnFailure(launch.execPath, error) });
        },
        stdout: (chunk) => stdout.push(chunk),
        stderr: (chunk) => stderr.push(chunk),
        exit(code, signal) {
          if (stopped === undefined && code !== 0) {
            logs.stderr.write(
              signal === null
                ? `The action exited with code ${code}.\n`
                : `The action was killed by ${signal}.\n`,
            );
          }
          // Something the child forked may still hold its pipes: give it a moment, then kill it,
          // which ends the pipes with every byte read. Cutting them is the last resort, for a
          // holder the kill missed: cut first, and output still in flight would be lost.
          graceTimer = setTimeout(() => {
            processTrees.kill(pid, tag);
            graceTimer = setTimeout(cut, graceMs);
          }, graceMs);
        },
        close() {
          clearTimeout(deadlineTimer);
          clearTimeout(graceTimer);
          // Nothing the activation started may outlive it: the helper killed the tree already.
          processTrees.ended(pid);
          if (!throughHelper) processTrees.kill(pid, tag);
          processTrees.forget(tag);
          trees.delete(tag);
          const resultLine = stdout.finish();
          stderr.flush();
          if (stopped === undefined) {
            resolve({ kind: 'exited', resultLine });
            return;
          }
          if (resultLine.length > 0) {
            logs.stdout.write(resultLine);
            if (resultLine[resultLine.length - 1] !== 0x0a) logs.stdout.write('\n');
          }
          resolve(stopped);
        },
      };
      const params = activation.value;
      // Once the pipe has taken it all, the proxy keeps no copy of the request.
      const release = () => activation.releaseBytes();
      const throughHelper = helper !== undefined && params.length <= MAX_ARGUMENT_BYTES;
      if (helper !== undefined && throughHelper) {
        const child = helper.spawn(
          {
            command: launch.command,
            args: [...launch.args, params.toString('utf8')],
            cwd,
            envOverrides: taggedOverrides,
            stdin: params,
          },
          events,
          release,
        );
        cut = () => child.cut();
      } else {
        cut = spawnWithNode(
          launch,
          cwd,
          { ...options.env, ...taggedOverrides },
          params,
          release,
          events,
        );
      }
    });
  }

  return {
    async init(request: InitRequest): Promise<void> {
      launch = await prepareAction(request, options.execPath, options.unzipLimits, logs);
      cwd = dirname(launch.execPath);
      initEnv = request.env;
      helper?.warm();
    },

    async run(activation: Activation): Promise<unknown> {
      const waitMs = timeLeft(activation.deadline, timeoutMs);
      if (waitMs <= 0) throw new ProtocolError(502, MESSAGES.deadlineExceeded);
      const overrides = { ...initEnv, ...activation.env };
      const paramsBytes = activation.value.length;
      if (paramsBytes > MAX_ARGUMENT_BYTES) overrides[PARAMS_BYTES_VARIABLE] = String(paramsBytes);
      const outcome = spawnAndWatch(activation, overrides, waitMs);
      running.add(outcome);
      const result = await outcome;
      running.delete(outcome);
      switch (result.kind) {
        case 'exited':
          return parseResultLine(result.resultLine, logs.stdout);
        case 'deadline':
          throw new ProtocolError(502, MESSAGES.deadlineExceeded);
        case 'too-large':
          throw new ProtocolError(
            502,
            PROXY_MESSAGES.outputTooLarge(result.stream, outputLimitBytes),
          );
        case 'not-started':
          logs.stdout.write(`The action could not be started: ${result.reason}.\n`);
          throw new ProtocolError(502, MESSAGES.binaryMissing);
      }
    },

    async close(): Promise<void> {
      for (const [tag, pid] of trees) processTrees.kill(pid, tag);
      await Promise.all(running);
      helper?.close();
    },
  };
}

/** `[params]` when they fit in one argument, else none (the child reads stdin). */
function argvFor(params: Buffer): string[] {
  return params.length <= MAX_ARGUMENT_BYTES ? [params.toString('utf8')] : [];
}

/** Node's own spawn (a fork of the proxy), told as ChildEvents; returns how to cut the pipes. */
function spawnWithNode(
  launch: Launch,
  cwd: string,
  env: Record<string, string>,
  params: Buffer,
  release: () => void,
  events: ChildEvents,
): () => void {
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(launch.command, [...launch.args, ...argvFor(params)], {
      cwd,
      env,
      detached: true,
      stdio: 'pipe',
    });
  } catch (error) {
    // Node refuses what it cannot pass on; its message would quote the value (a secret).
    events.failed(error);
    return () => {};
  }
  const { pid } = child;
  if (pid !== undefined) {
    preferForOomKill(pid);
    events.started(pid);
  }
  child.stdout.on('data', (chunk: Buffer) => events.stdout(chunk));
  child.stderr.on('data', (chunk: Buffer) => events.stderr(chunk));
  // A child that never reads its stdin is fine: the pipe breaking is expected then.
  child.stdin.on('error', () => {});
  child.stdin.end(params, release);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.once('exit', (code, signal) => events.exit(code, signal));
  child.once('close', () => {
    if (pid === undefined || (spawnError !== undefined && child.exitCode === null)) {
      events.failed(spawnError);
      return;
    }
    events.close();
  });
  return () => {
    child.stdout.destroy();
    child.stderr.destroy();
  };
}
