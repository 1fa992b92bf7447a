import { type ActionEngine, type Activation, messageOf, ProtocolError } from './core/index.js';
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
  let activationKeys: string[] = [];

  function applyActivationEnv(vars: Record<string, string>): void {
    for (const key of activationKeys) {
      if (!(key in vars)) delete env[key];
    }
    activationKeys = Object.keys(vars);
    Object.assign(env, vars);
  }

  return {
    async init({ env: initEnv }) {
      Object.assign(env, initEnv);
      if (!options.init) return;
      try {
        await options.init();
      } catch (error) {
        options.stderr.write(
          `${error instanceof Error && error.stack ? error.stack : messageOf(error)}\n`,
        );
        throw new ProtocolError(502, `Initialization has failed due to: ${messageOf(error)}`);
      }
    },

    async run(activation) {
      applyActivationEnv(activation.env);
      const deadline = deadlineSignal(activation.deadline);
      try {
        const result = await handler(activation.params as P, contextOf(activation, deadline));
        return result === undefined ? {} : result;
      } catch (error) {
        options.stderr.write(
          `${error instanceof Error && error.stack ? error.stack : messageOf(error)}\n`,
        );
        return { error: messageOf(error) };
      } finally {
        deadline.dispose();
      }
    },
  };
}

const detached = Symbol.for('owkit.detachedProcessEnv');

/**
 * Swaps process.env for a plain copy, once. Node's process.env writes go to glibc's setenv, which
 * never frees a replaced value: with a fresh activation id per request, memory grows with every
 * activation, and each write costs a libc call. JavaScript code reads the copy as before, and
 * child processes get it as their environment.
 */
function detachedProcessEnv(): NodeJS.ProcessEnv {
  const current = process.env as NodeJS.ProcessEnv & { [detached]?: true };
  if (current[detached]) return current;
  const copy: NodeJS.ProcessEnv = { ...current };
  Object.defineProperty(copy, detached, { value: true });
  process.env = copy;
  return copy;
}

function contextOf(activation: Activation, deadline: LazyDeadlineSignal): Context {
  const vars = activation.env;
  const ctx: Context = {
    activationId: vars.__OW_ACTIVATION_ID ?? '',
    actionName: vars.__OW_ACTION_NAME ?? '',
    actionVersion: vars.__OW_ACTION_VERSION ?? '',
    namespace: vars.__OW_NAMESPACE ?? '',
    transactionId: vars.__OW_TRANSACTION_ID ?? '',
    deadline: activation.deadline,
    get signal() {
      return deadline.signal;
    },
  };
  if (vars.__OW_API_KEY !== undefined) ctx.apiKey = vars.__OW_API_KEY;
  return ctx;
}

interface LazyDeadlineSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** The timer behind the signal is only made for handlers that ask for it. */
function deadlineSignal(deadline: number): LazyDeadlineSignal {
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        const reason = new DOMException('The activation deadline passed.', 'TimeoutError');
        const wait = deadline - Date.now();
        if (wait <= 0) controller.abort(reason);
        else if (Number.isFinite(wait)) {
          const abort = (c: AbortController) => c.abort(reason);
          // setTimeout cannot wait longer than 2^31-1 ms.
          timer = setTimeout(abort, Math.min(wait, 2_147_483_647), controller);
          timer.unref();
        }
      }
      return controller.signal;
    },
    dispose() {
      clearTimeout(timer);
    },
  };
}
