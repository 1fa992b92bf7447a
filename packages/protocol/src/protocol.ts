import { initEnvToStrings, parseDeadline } from './environment.js';
import { isProtocolError, messageOf, ProtocolError } from './errors.js';
import { errorBody, isDictionaryOrArray, toJsonBytes } from './json.js';
import {
  compactInPlace,
  JSON_KIND,
  type JsonMember,
  type JsonScan,
  RawJson,
  scalarText,
  scanJson,
} from './json-scan.js';
import { LARGE_BODY_BYTES, releaseMemory } from './memory.js';
import { MESSAGES } from './messages.js';
import { type LogStreams, writeSentinels } from './sentinel.js';

/**
 * What `/init` hands an engine: every member of `value` but `code`, parsed; `code` as the raw JSON
 * text that was sent (a string literal with its quotes), so that a proxy can decode a 48 MB zip
 * as a stream; and `env` as environment strings.
 */
export interface InitRequest {
  value: Record<string, unknown>;
  /** The raw JSON of `value.code`; null when it is absent or JSON null. */
  code: Buffer | null;
  env: Record<string, string>;
}

/**
 * One `/run`. `value` and `body` are the bytes that were sent, compacted (numbers untouched);
 * `params` is parsed only when an engine asks for it.
 */
export class Activation {
  /** Epoch milliseconds; Infinity when the request carried no deadline. */
  readonly deadline: number;
  #value: Buffer | undefined;
  #body: Buffer | undefined;
  #params: Record<string, unknown> | unknown[] | undefined;
  #env: Record<string, string> | (() => Record<string, string>);

  /** `env` may be a function: it is then called once, when an engine first asks. */
  constructor(
    value: Buffer,
    body: Buffer,
    env: Record<string, string> | (() => Record<string, string>),
    deadline: number,
  ) {
    this.#value = value;
    this.#body = body;
    this.#env = env;
    this.deadline = deadline;
  }

  /**
   * `__OW_*` variables of this activation, built from the body's top-level keys when first asked
   * for: a loop-mode proxy forwards the body and never needs them (a 64 MiB string member would
   * cost 64 MiB more).
   */
  get env(): Record<string, string> {
    if (typeof this.#env === 'function') this.#env = this.#env();
    return this.#env;
  }

  /** The request's `value`, an object or array, as compact JSON; `{}` when it was missing. */
  get value(): Buffer {
    return this.#value ?? released();
  }

  /** The whole request body as compact JSON, one line (loop mode forwards it). */
  get body(): Buffer {
    return this.#body ?? released();
  }

  /** `value` parsed (an object or an array), kept for later calls along with the bytes. */
  get params(): Record<string, unknown> | unknown[] {
    this.#params ??= parseParams(this.value);
    return this.#params;
  }

  /**
   * `value` parsed, letting go of the request's bytes: a handler that keeps a 64 MiB string from
   * its params must not have the body that carried it held beside it. `value` and `body` are
   * gone afterwards.
   */
  takeParams(): Record<string, unknown> | unknown[] {
    const cached = this.#params;
    this.#params = undefined;
    if (cached !== undefined) {
      void this.env;
      this.#value = undefined;
      this.#body = undefined;
      return cached;
    }
    const { text, large } = this.#takeText();
    // The bytes go before the parse makes its copy: text and params, never bytes, text and params.
    if (large) releaseMemory();
    return JSON.parse(text) as Record<string, unknown> | unknown[];
  }

  /**
   * Lets go of `value` and `body` (`env` is built first): a proxy calls this once the child has
   * them, so that a 64 MiB body is not held while the child works on its own copy. When the body
   * was large its memory is freed on the next turn of the event loop: called from a write's
   * callback, the finished write request still holds the buffer until that callback returns.
   */
  releaseBytes(): void {
    void this.env;
    const large = (this.#body?.length ?? 0) >= LARGE_BODY_BYTES;
    this.#value = undefined;
    this.#body = undefined;
    this.#params = undefined;
    if (large) setImmediate(releaseMemory);
  }

  /** A call of its own, so that no register of the caller's frame still holds the bytes. */
  #takeText(): { text: string; large: boolean } {
    // The variables come from the bytes: built now, before the bytes go.
    void this.env;
    const value = this.value;
    this.#value = undefined;
    this.#body = undefined;
    return { text: value.toString('utf8'), large: value.length >= LARGE_BODY_BYTES };
  }
}

function parseParams(value: Buffer): Record<string, unknown> | unknown[] {
  return JSON.parse(value.toString('utf8')) as Record<string, unknown> | unknown[];
}

function released(): never {
  throw new Error("The activation's bytes were released by takeParams().");
}

/**
 * How a server produces results: the native runtime calls a handler, the proxy runs a child.
 * `run` gives the action's result — any value, whose shape the protocol layer checks, or a
 * RawJson answered byte for byte — or fails with a ProtocolError carrying the answer's status.
 * It may give the result at once rather than as a promise (a handler that is not async): the
 * answer is then written in the same turn of the event loop, with no promise made for it.
 */
export interface ActionEngine {
  init(request: InitRequest): Promise<void>;
  run(activation: Activation): unknown;
  close?(): Promise<void>;
}

export interface ProtocolResponse {
  status: number;
  body: string | Buffer;
}

export interface ProtocolRequest {
  method: string;
  path: string;
  /** The raw body; null when it was larger than the server accepts. */
  body: Uint8Array | string | null;
}

/**
 * The protocol without a socket: routes, `/init` once, `value` rules, results, sentinels.
 * `handle` answers at once when it can (every answer but `/init` and an engine's own promise).
 * A transport passes `deliver`, which gets the answer before a `/run`'s sentinels are written:
 * the client then reads its answer, and sends its next request, while the logs are being ended.
 */
export interface ProtocolApp {
  handle(
    request: ProtocolRequest,
    deliver?: (response: ProtocolResponse) => void,
  ): ProtocolResponse | Promise<ProtocolResponse>;
  close(): Promise<void>;
}

export interface ProtocolAppOptions {
  logs: LogStreams;
}

const routes = new Set(['/init', '/run']);
const EMPTY_OBJECT = Buffer.from('{}');

/** A request body checked as JSON and compacted; undefined when it is not valid JSON. */
interface ScannedBody {
  bytes: Buffer;
  scan: JsonScan;
}

export function createProtocolApp(engine: ActionEngine, options: ProtocolAppOptions): ProtocolApp {
  const { logs } = options;
  let initClaimed = false;

  async function init({ bytes, scan }: ScannedBody): Promise<ProtocolResponse> {
    if (initClaimed) {
      logs.stderr.write(`${MESSAGES.reinit}\n`);
      return reply(403, errorBody(MESSAGES.reinit));
    }
    initClaimed = true;
    try {
      await engine.init(initRequest(bytes, scan));
      return reply(200, '{"ok":true}');
    } catch (error) {
      // A failed init may be retried: the invoker treats it as fatal anyway, a local user may not.
      initClaimed = false;
      return errorResponse(error, logs, 502);
    }
  }

  /**
   * Not an async function, nor is anything that sees the body's bytes: a suspended frame would
   * keep them alive for as long as the activation runs.
   */
  function run(scanned: ScannedBody): ProtocolResponse | Promise<ProtocolResponse> {
    let result: unknown;
    try {
      result = engine.run(activationOf(scanned));
    } catch (error) {
      return errorResponse(error, logs, 502);
    }
    if (!(result instanceof Promise)) return resultResponse(result, logs);
    return result.then(
      (settled: unknown) => resultResponse(settled, logs),
      (error: unknown) => errorResponse(error, logs, 502),
    );
  }

  function answer(request: ProtocolRequest): ProtocolResponse | Promise<ProtocolResponse> {
    const { method, path } = request;
    if (!routes.has(path)) return reply(404, errorBody(MESSAGES.notFound));
    if (method !== 'POST') return reply(405, errorBody(MESSAGES.methodNotAllowed));
    const scanned = scanBody(request.body);
    if ('status' in scanned) return scanned;
    return path === '/init' ? init(scanned) : run(scanned);
  }

  return {
    handle(request, deliver) {
      const answered = answer(request);
      // Every POST /run ends its logs, whatever the outcome: the invoker waits for the pair.
      const endsActivation = request.path === '/run' && request.method === 'POST';
      const finish = (response: ProtocolResponse) => {
        try {
          deliver?.(response);
        } finally {
          if (endsActivation) writeSentinels(logs);
        }
        return response;
      };
      if (!(answered instanceof Promise)) return finish(answered);
      // then with both callbacks, not finally: the same outcome, two promises fewer per /run.
      return answered.then(finish, (error: unknown) => {
        if (endsActivation) writeSentinels(logs);
        throw error;
      });
    },
    async close() {
      await engine.close?.();
    },
  };
}

/** `value.code` stays raw JSON; every other member of `value` is parsed. */
function initRequest(bytes: Buffer, scan: JsonScan): InitRequest {
  const value: Record<string, unknown> = {};
  let code: Buffer | null = null;
  const valueMember = scan.members.findLast((member) => member.key === 'value');
  if (valueMember !== undefined && bytes[valueMember.start] === JSON_KIND.object) {
    const inner = bytes.subarray(valueMember.start, valueMember.end);
    // Valid already: the whole body was scanned. This finds the members of `value`.
    const members = (scanJson(inner) as JsonScan).members;
    for (const member of members) {
      const raw = inner.subarray(member.start, member.end);
      if (member.key === 'code') {
        code = raw.toString('latin1') === 'null' ? null : raw;
        continue;
      }
      value[member.key] = JSON.parse(raw.toString('utf8'));
    }
  }
  return { value, code, env: initEnvToStrings(value.env) };
}

/** `__OW_<KEY>` of the keys seen so far: the invoker sends the same few keys every time. */
const contextNames = new Map<string, string>();
/** A client that invents keys must not grow the cache past this. */
const CONTEXT_NAMES_KEPT = 64;

/**
 * The same string object for the same key, every activation: V8 then stores and reads the
 * activation's variables through a shape it has seen, instead of hashing a fresh string each time.
 */
function contextName(key: string): string {
  let name = contextNames.get(key);
  if (name === undefined) {
    name = `__OW_${key.toUpperCase()}`;
    if (contextNames.size < CONTEXT_NAMES_KEPT) contextNames.set(key, name);
  }
  return name;
}

function reply(status: number, body: string | Buffer): ProtocolResponse {
  return { status, body };
}

function resultResponse(result: unknown, logs: LogStreams): ProtocolResponse {
  if (result instanceof RawJson) return reply(200, result.bytes);
  let bytes: Buffer | undefined;
  try {
    bytes = isDictionaryOrArray(result) ? toJsonBytes(result) : undefined;
  } catch (error) {
    logs.stderr.write(`The action's result could not be serialized: ${messageOf(error)}\n`);
  }
  // toJSON() may turn an object into a scalar; only what serializes to an object or array counts.
  if (bytes === undefined || (bytes[0] !== JSON_KIND.object && bytes[0] !== JSON_KIND.array)) {
    return reply(502, errorBody(MESSAGES.notDictionaryResult));
  }
  return reply(200, bytes);
}

function errorResponse(error: unknown, logs: LogStreams, fallbackStatus: number): ProtocolResponse {
  if (isProtocolError(error)) return reply(error.status, errorBody(error.message));
  logs.stderr.write(`${error instanceof Error && error.stack ? error.stack : messageOf(error)}\n`);
  return reply(fallbackStatus, errorBody(messageOf(error)));
}

/**
 * Checks the body as JSON without parsing it: a response when it is too large or not JSON. The
 * body's memory is the server's own, so a body with whitespace between tokens is compacted where
 * it lies: no second copy of a 64 MiB body.
 */
function scanBody(body: Uint8Array | string | null): ScannedBody | ProtocolResponse {
  if (body === null) return reply(413, errorBody(MESSAGES.bodyTooLarge));
  let bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : asBuffer(body);
  let scan = scanJson(bytes);
  if (scan === undefined) return reply(400, errorBody(MESSAGES.invalidJson));
  if (!scan.compact || scan.start !== 0 || scan.end !== bytes.length) {
    bytes = asBuffer(compactInPlace(bytes));
    scan = scanJson(bytes) as JsonScan;
  }
  return { bytes, scan };
}

/**
 * The activation a `/run` body describes: `value` checked by its first byte, `__OW_*` and the
 * deadline from the other top-level members, which are small; `value` itself is never parsed.
 */
function activationOf({ bytes, scan }: ScannedBody): Activation {
  if (scan.kind !== JSON_KIND.object) throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
  let value: Buffer = EMPTY_OBJECT;
  let deadline = Number.POSITIVE_INFINITY;
  // A key sent twice counts once, as its last value (JSON.parse and Go agree).
  for (const member of scan.members) {
    if (member.key === 'value') value = bytes.subarray(member.start, member.end);
    else if (member.key === 'deadline') deadline = parseDeadline(scalarText(bytes, member));
  }
  const kind = value[0];
  if (kind !== JSON_KIND.object && kind !== JSON_KIND.array) {
    throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
  }
  return new Activation(value, bytes, () => contextEnv(bytes, scan.members), deadline);
}

/** Every top-level member but `value` as `__OW_<KEY>`: strings, numbers and booleans as text. */
function contextEnv(bytes: Buffer, members: readonly JsonMember[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const member of members) {
    if (member.key === 'value') continue;
    const text = scalarText(bytes, member);
    if (text === undefined) delete env[contextName(member.key)];
    else env[contextName(member.key)] = text;
  }
  return env;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
