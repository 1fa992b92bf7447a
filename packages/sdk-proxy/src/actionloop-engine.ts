import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import {
  type ActionEngine,
  type Activation,
  type InitRequest,
  MESSAGES,
  ProtocolError,
  writeSentinels,
} from '@owkit/protocol';
import { LONGEST_TIMER_MS, prepareAction, timeLeft } from './action-code.js';
import { type ActionloopChild, ChildStartError, startActionloopChild } from './actionloop-child.js';
import type { EngineOptions } from './engine-options.js';
import { directLaunch } from './launch.js';
import { PROXY_MESSAGES } from './messages.js';
import { ProcessTrees } from './process-tree.js';
import { parseResultLine } from './result.js';

export interface ActionloopOptions extends EngineOptions {
  /** How many identical children serve activations side by side. */
  pool: number;
  /** How long a child may take to send `{"ok":true}` when `__OW_WAIT_FOR_ACK` is set. */
  startupTimeoutMs?: number;
}

export const STARTUP_TIMEOUT_MS = 10_000;

export interface ActionloopEngine extends ActionEngine {
  /** Starts the children ahead of the first request when the image already holds the action. */
  prestart(): void;
}

/**
 * The ActionLoop contract: children started once and fed one request line at a time. Each child
 * serves one activation at a time; the rest wait in arrival order for the next free child.
 */
export function createActionloopEngine(options: ActionloopOptions): ActionloopEngine {
  const { logs, timeoutMs } = options;
  /** Where /init put the executable (it moves under a read-only root) and how to start it. */
  let launch = directLaunch(options.execPath);
  const children: Array<ActionloopChild | undefined> = new Array(options.pool).fill(undefined);
  const idle: number[] = children.map((_, slot) => slot);
  /** Activations waiting for a free child, in arrival order. */
  const waiting: Array<(slot: number) => void> = [];
  const trees = new ProcessTrees(options.treeKill);
  let initEnv: Record<string, string> = {};

  function spawnChild(): ActionloopChild {
    const env = { ...options.env, ...initEnv };
    return startActionloopChild({
      launch,
      cwd: dirname(launch.execPath),
      env,
      logs,
      outputLimitBytes: options.outputLimitBytes,
      waitForAck: (env.__OW_WAIT_FOR_ACK ?? '') !== '',
      startupTimeoutMs: options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS,
      trees,
    });
  }

  /** The slot's child, started afresh when there is none or the last one died. */
  function childFor(slot: number): ActionloopChild {
    const existing = children[slot];
    if (existing?.alive) return existing;
    const fresh = spawnChild();
    children[slot] = fresh;
    return fresh;
  }

  /** A free child's slot; an activation still waiting at its deadline gives up its place. */
  function acquire(waitMs: number): Promise<number> {
    const slot = idle.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const take = (freed: number) => {
        clearTimeout(timer);
        resolve(freed);
      };
      const timer = Number.isFinite(waitMs)
        ? setTimeout(
            () => {
              waiting.splice(waiting.indexOf(take), 1);
              reject(new ProtocolError(502, MESSAGES.deadlineExceeded));
            },
            Math.min(waitMs, LONGEST_TIMER_MS),
          )
        : undefined;
      waiting.push(take);
    });
  }

  function release(slot: number): void {
    const next = waiting.shift();
    if (next !== undefined) next(slot);
    else idle.push(slot);
  }

  async function stopAll(): Promise<void> {
    const running = children.filter((child) => child !== undefined);
    children.fill(undefined);
    await Promise.all(running.map((child) => child.kill()));
  }

  return {
    prestart() {
      try {
        accessSync(launch.execPath, constants.X_OK);
      } catch {
        // Nothing to run yet: the action arrives with /init.
        return;
      }
      for (let slot = 0; slot < children.length; slot++) childFor(slot);
    },

    async init(request: InitRequest): Promise<void> {
      await stopAll();
      launch = await prepareAction(request, options.execPath, options.unzipLimits, logs);
      initEnv = request.env;
      const started = children.map((_, slot) => childFor(slot));
      try {
        await Promise.all(started.map((child) => child.ready));
      } catch (error) {
        await stopAll();
        writeSentinels(logs);
        throw new ProtocolError(502, PROXY_MESSAGES.couldNotStart, { cause: error });
      }
    },

    async run(activation: Activation): Promise<unknown> {
      if (timeLeft(activation.deadline, timeoutMs) <= 0) {
        throw new ProtocolError(502, MESSAGES.deadlineExceeded);
      }
      // Waiting counts against the deadline only; --timeout bounds the run itself.
      const slot = await acquire(activation.deadline - Date.now());
      try {
        const child = childFor(slot);
        try {
          await child.ready;
        } catch (error) {
          if (error instanceof ChildStartError) {
            if (error.notRunnable) throw new ProtocolError(502, MESSAGES.binaryMissing);
            throw new ProtocolError(502, PROXY_MESSAGES.couldNotStart, { cause: error });
          }
          throw error;
        }
        const waitMs = timeLeft(activation.deadline, timeoutMs);
        if (waitMs <= 0) throw new ProtocolError(502, MESSAGES.deadlineExceeded);
        // The body as sent, compacted to one line: the child sets its own __OW_* from its keys.
        const line = await child.run(activation, waitMs);
        return parseResultLine(line, logs.stdout);
      } finally {
        release(slot);
      }
    },

    async close(): Promise<void> {
      await stopAll();
    },
  };
}
