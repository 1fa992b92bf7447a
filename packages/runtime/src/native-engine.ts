import {
  type ActionEngine,
  type Activation,
  LARGE_BODY_BYTES,
  messageOf,
  ProtocolError,
  releaseMemory,
} from '@owkit/protocol';
import type { Context, Handler, InitHook } from './handler.js';

export interface NativeEngineOptions {
  init?: InitHook;
  /** Where `/init` env and per-activation `__OW_*` variables are set; process.env by default. */
  env?: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}

/** Calls the handler in-process: thrown errors become application errors, never crashes. */
export function createNativeEngine<P>(
  handler: Handler<P>,
  options: NativeEngineOptions,
): ActionEngine {
  const env = options.env ?? detachedProcessEnv();
  const realEnv = options.env === undefined ? realProcessEnv(env) : undefined;
  let activationKeys: string[] = [];

  function applyActivationEnv(vars: Record<string, string>): string[] {
    for (const key of activationKeys) {
      if (!(key in vars)) delete env[key];
    }
    activationKeys = Object.keys(vars);
    Object.assign(env, vars);
    return activationKeys;
  }

  /** Once its activation is over, its variables go (a 64 MiB one included), unless a later one set its own. */
  function clearActivationEnv(keys: string[]): void {
    if (keys !== activationKeys) return;
    for (const key of keys) delete env[key];
    activationKeys = [];
  }

  return {
    async init({ env: initEnv }) {
      // Set once, so libc's setenv leaks nothing here; and it must be the real environment,
      // which is where libc and Node look for TZ, LANG and the like.
      if (realEnv !== undefined) Object.assign(realEnv, initEnv);
      Object.assign(env, initEnv);
      if (!options.init) return;
      try {
        await options.init();
      } catch (error) {
        logError(error);
        throw new ProtocolError(502, `Initialization has failed due to: ${messageOf(error)}`);
      }
    },

    run(activation) {
      if (isLarge(activation)) return runLarge(activation);
      const keys = applyActivationEnv(activation.env);
      const deadline = new LazyDeadlineSignal(activation.deadline);
      let result: unknown;
      try {
        result = handler(activation.takeParams() as P, new ActivationContext(activation, deadline));
      } catch (error) {
        endActivation(keys, deadline);
        return applicationError(error);
      }
      // A handler that is not async is answered in this turn: no promise, no microtask.
      if (!isThenable(result)) {
        endActivation(keys, deadline);
        return result === undefined ? {} : result;
      }
      return settle(result, keys, deadline);
    },
  };

  /** An async handler's result, once it settles. */
  async function settle(
    pending: PromiseLike<unknown>,
    keys: string[],
    deadline: LazyDeadlineSignal,
  ): Promise<unknown> {
    try {
      const result = await pending;
      return result === undefined ? {} : result;
    } catch (error) {
      return applicationError(error);
    } finally {
      endActivation(keys, deadline);
    }
  }

  /** A 64 MiB value: every copy of its bytes goes before the handler sees the params. */
  async function runLarge(activation: Activation): Promise<unknown> {
    // The request's bytes are still held by the calls that led here; once they have returned
    // only the activation holds them, and takeParams can free them.
    await Promise.resolve();
    const keys = applyActivationEnv(activation.env);
    const deadline = new LazyDeadlineSignal(activation.deadline);
    try {
      // No local for the params: a 64 MiB string in them can go once the handler lets it go.
      const result = await handler(
        paramsOf(activation) as P,
        new ActivationContext(activation, deadline),
      );
      // What the handler made on the way (and the params) goes before the answer is written.
      releaseMemory();
      return result === undefined ? {} : result;
    } catch (error) {
      return applicationError(error);
    } finally {
      endActivation(keys, deadline);
    }
  }

  function endActivation(keys: string[], deadline: LazyDeadlineSignal): void {
    deadline.dispose();
    clearActivationEnv(keys);
  }

  /** A thrown or rejected handler: logged, and answered as an application error. */
  function applicationError(error: unknown): { error: string } {
    logError(error);
    return { error: messageOf(error) };
  }

  function logError(error: unknown): void {
    options.stderr.write(
      `${error instanceof Error && error.stack ? error.stack : messageOf(error)}\n`,
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** In a call of its own: a suspended frame keeps every register, the value's bytes included. */
function isLarge(activation: Activation): boolean {
  return activation.value.length >= LARGE_BODY_BYTES;
}

/** A large activation's params, the text they were parsed from freed first. */
function paramsOf(activation: Activation): unknown {
  const params = activation.takeParams();
  releaseMemory();
  return params;
}

const detached = Symbol.for('owkit.detachedProcessEnv');
const real = Symbol.for('owkit.realProcessEnv');
type DetachedEnv = NodeJS.ProcessEnv & { [detached]?: true; [real]?: NodeJS.ProcessEnv };

/**
 * Swaps process.env for a plain copy, once. Node's process.env writes go to glibc's setenv, which
 * never frees a replaced value: with a fresh activation id per request, memory grows with every
 * activation, and each write costs a libc call. JavaScript code reads the copy as before, and
 * child processes get it as their environment. Only per-activation variables live in the copy
 * alone; `/init` env goes to the real environment too (see realProcessEnv).
 */
function detachedProcessEnv(): NodeJS.ProcessEnv {
  const current = process.env as DetachedEnv;
  if (current[detached]) return current;
  const copy: DetachedEnv = { ...current };
  Object.defineProperty(copy, detached, { value: true });
  Object.defineProperty(copy, real, { value: current });
  process.env = copy;
  return copy;
}

/** The environment libc sees, behind a copy made by detachedProcessEnv. */
function realProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined {
  return (env as DetachedEnv)[real];
}

/**
 * The handler's context. A class, not an object literal: a literal with a getter gets fresh
 * accessor closures each time, and V8 then builds a new hidden class for every activation in old
 * space, which under load swelled the heap to twice the bare server's (measured, 217 → 99 MB).
 */
class ActivationContext implements Context {
  readonly activationId: string;
  readonly actionName: string;
  readonly actionVersion: string;
  readonly namespace: string;
  readonly transactionId: string;
  readonly deadline: number;
  apiKey?: string;
  readonly #deadline: LazyDeadlineSignal;

  constructor(activation: Activation, deadline: LazyDeadlineSignal) {
    const vars = activation.env;
    this.activationId = vars.__OW_ACTIVATION_ID ?? '';
    this.actionName = vars.__OW_ACTION_NAME ?? '';
    this.actionVersion = vars.__OW_ACTION_VERSION ?? '';
    this.namespace = vars.__OW_NAMESPACE ?? '';
    this.transactionId = vars.__OW_TRANSACTION_ID ?? '';
    this.deadline = activation.deadline;
    if (vars.__OW_API_KEY !== undefined) this.apiKey = vars.__OW_API_KEY;
    this.#deadline = deadline;
  }

  get signal(): AbortSignal {
    return this.#deadline.signal;
  }
}

/** An AbortSignal for the deadline whose timer is only made for handlers that ask for it. */
class LazyDeadlineSignal {
  readonly #deadline: number;
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deadline: number) {
    this.#deadline = deadline;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      const reason = new DOMException('The activation deadline passed.', 'TimeoutError');
      const wait = this.#deadline - Date.now();
      if (wait <= 0) controller.abort(reason);
      else if (Number.isFinite(wait)) {
        // setTimeout cannot wait longer than 2^31-1 ms.
        this.#timer = setTimeout(() => controller.abort(reason), Math.min(wait, 2_147_483_647));
        this.#timer.unref();
      }
    }
    return this.#controller.signal;
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
