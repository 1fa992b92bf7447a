import { activationEnv, initEnvToStrings, parseDeadline } from './environment.js';
import { isProtocolError, messageOf, ProtocolError } from './errors.js';
import { errorBody, isDictionaryOrArray, toJson } from './json.js';
import { MESSAGES } from './messages.js';
import { type LogStreams, writeSentinels } from './sentinel.js';

/** What `/init` hands an engine: the raw `value` object and its `env` as environment strings. */
export interface InitRequest {
  value: Record<string, unknown>;
  env: Record<string, string>;
}

/** One `/run`: the params, the context, and the request body as it came (loop mode forwards it). */
export interface Activation {
  params: Record<string, unknown> | unknown[];
  /** `__OW_*` variables of this activation, built from the body's top-level keys. */
  env: Record<string, string>;
  /** Epoch milliseconds; Infinity when the request carried no deadline. */
  deadline: number;
  body: Record<string, unknown>;
}

/**
 * How a server produces results: the native runtime calls a handler, the proxy runs a child.
 * `run` resolves to the action's result (any value; the protocol layer checks its shape) or
 * rejects with a ProtocolError carrying the answer's status.
 */
export interface ActionEngine {
  init(request: InitRequest): Promise<void>;
  run(activation: Activation): Promise<unknown>;
  close?(): Promise<void>;
}

export interface ProtocolResponse {
  status: number;
  body: string;
}

export interface ProtocolRequest {
  method: string;
  path: string;
  /** The raw body; null when it was larger than the server accepts. */
  body: Uint8Array | string | null;
}

/** The protocol without a socket: routes, `/init` once, `value` rules, results, sentinels. */
export interface ProtocolApp {
  handle(request: ProtocolRequest): Promise<ProtocolResponse>;
  close(): Promise<void>;
}

export interface ProtocolAppOptions {
  logs: LogStreams;
}

const routes = new Set(['/init', '/run']);
const decoder = new TextDecoder();

export function createProtocolApp(engine: ActionEngine, options: ProtocolAppOptions): ProtocolApp {
  const { logs } = options;
  let initClaimed = false;

  async function init(body: unknown): Promise<ProtocolResponse> {
    if (initClaimed) {
      logs.stderr.write(`${MESSAGES.reinit}\n`);
      return reply(403, errorBody(MESSAGES.reinit));
    }
    initClaimed = true;
    const value = isPlainObject(body) && isPlainObject(body.value) ? body.value : {};
    try {
      await engine.init({ value, env: initEnvToStrings(value.env) });
      return reply(200, '{"ok":true}');
    } catch (error) {
      // A failed init may be retried: the invoker treats it as fatal anyway, a local user may not.
      initClaimed = false;
      return errorResponse(error, logs, 502);
    }
  }

  async function run(body: unknown): Promise<ProtocolResponse> {
    try {
      if (!isPlainObject(body)) throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
      const params = body.value === undefined ? {} : body.value;
      if (!isDictionaryOrArray(params)) {
        throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
      }
      const result = await engine.run({
        params,
        env: activationEnv(body),
        deadline: parseDeadline(body.deadline),
        body,
      });
      return resultResponse(result, logs);
    } catch (error) {
      return errorResponse(error, logs, 502);
    }
  }

  return {
    async handle({ method, path, body }) {
      if (!routes.has(path)) return reply(404, errorBody(MESSAGES.notFound));
      if (method !== 'POST') return reply(405, errorBody(MESSAGES.methodNotAllowed));
      if (path === '/init') return parseThen(body, init);
      try {
        return await parseThen(body, run);
      } finally {
        // Every POST /run ends its logs, whatever the outcome: the invoker waits for the pair.
        writeSentinels(logs);
      }
    },
    async close() {
      await engine.close?.();
    },
  };
}

function reply(status: number, body: string): ProtocolResponse {
  return { status, body };
}

function resultResponse(result: unknown, logs: LogStreams): ProtocolResponse {
  let text: string | undefined;
  try {
    text = isDictionaryOrArray(result) ? toJson(result) : undefined;
  } catch (error) {
    logs.stderr.write(`The action's result could not be serialized: ${messageOf(error)}\n`);
  }
  // toJSON() may turn an object into a scalar; only what serializes to an object or array counts.
  if (text === undefined || (text[0] !== '{' && text[0] !== '[')) {
    return reply(502, errorBody(MESSAGES.notDictionaryResult));
  }
  return reply(200, text);
}

function errorResponse(error: unknown, logs: LogStreams, fallbackStatus: number): ProtocolResponse {
  if (isProtocolError(error)) return reply(error.status, errorBody(error.message));
  logs.stderr.write(`${error instanceof Error && error.stack ? error.stack : messageOf(error)}\n`);
  return reply(fallbackStatus, errorBody(messageOf(error)));
}

async function parseThen(
  body: Uint8Array | string | null,
  route: (parsed: unknown) => Promise<ProtocolResponse>,
): Promise<ProtocolResponse> {
  if (body === null) return reply(413, errorBody(MESSAGES.bodyTooLarge));
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : decoder.decode(body));
  } catch {
    return reply(400, errorBody(MESSAGES.invalidJson));
  }
  return route(parsed);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
