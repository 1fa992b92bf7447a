import { initEnvToStrings, parseDeadline } from './environment.js';
import { isProtocolError, messageOf, ProtocolError } from './errors.js';
import { errorBody, isDictionaryOrArray, toJson } from './json.js';
import {
  compactInPlace,
  JSON_KIND,
  type JsonScan,
  RawJson,
  scalarText,
  scanJson,
} from './json-scan.js';
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
  /** The request's `value`, an object or array, as compact JSON; `{}` when it was missing. */
  readonly value: Buffer;
  /** The whole request body as compact JSON, one line (loop mode forwards it). */
  readonly body: Buffer;
  /** `__OW_*` variables of this activation, built from the body's top-level keys. */
  readonly env: Record<string, string>;
  /** Epoch milliseconds; Infinity when the request carried no deadline. */
  readonly deadline: number;
  #params: Record<string, unknown> | unknown[] | undefined;

  constructor(value: Buffer, body: Buffer, env: Record<string, string>, deadline: number) {
    this.value = value;
    this.body = body;
    this.env = env;
    this.deadline = deadline;
  }

  /** `value` parsed (objects and arrays only, so this is never a scalar). */
  get params(): Record<string, unknown> | unknown[] {
    if (this.#params === undefined) {
      this.#params = JSON.parse(this.value.toString('utf8')) as Record<string, unknown> | unknown[];
    }
    return this.#params;
  }
}

/**
 * How a server produces results: the native runtime calls a handler, the proxy runs a child.
 * `run` resolves to the action's result — any value, whose shape the protocol layer checks, or a
 * RawJson answered byte for byte — or rejects with a ProtocolError carrying the answer's status.
 */
export interface ActionEngine {
  init(request: InitRequest): Promise<void>;
  run(activation: Activation): Promise<unknown>;
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

/** The protocol without a socket: routes, `/init` once, `value` rules, results, sentinels. */
export interface ProtocolApp {
  handle(request: ProtocolRequest): Promise<ProtocolResponse>;
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

  async function run({ bytes, scan }: ScannedBody): Promise<ProtocolResponse> {
    try {
      if (scan.kind !== JSON_KIND.object) {
        throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
      }
      let value: Buffer = EMPTY_OBJECT;
      const env: Record<string, string> = {};
      let deadline = Number.POSITIVE_INFINITY;
      for (const member of scan.members) {
        if (member.key === 'value') {
          value = bytes.subarray(member.start, member.end);
          continue;
        }
        const text = scalarText(bytes, member);
        if (text === undefined) {
          // A key sent twice counts once, as its last value (JSON.parse and Go agree).
          delete env[contextName(member.key)];
          if (member.key === 'deadline') deadline = Number.POSITIVE_INFINITY;
          continue;
        }
        env[contextName(member.key)] = text;
        if (member.key === 'deadline') deadline = parseDeadline(text);
      }
      const kind = value[0];
      if (kind !== JSON_KIND.object && kind !== JSON_KIND.array) {
        throw new ProtocolError(404, MESSAGES.notDictionaryArgument);
      }
      const result = await engine.run(new Activation(value, bytes, env, deadline));
      return resultResponse(result, logs);
    } catch (error) {
      return errorResponse(error, logs, 502);
    }
  }

  return {
    async handle({ method, path, body }) {
      if (!routes.has(path)) return reply(404, errorBody(MESSAGES.notFound));
      if (method !== 'POST') return reply(405, errorBody(MESSAGES.methodNotAllowed));
      if (path === '/init') return scanThen(body, init);
      try {
        return await scanThen(body, run);
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

function contextName(key: string): string {
  return `__OW_${key.toUpperCase()}`;
}

function reply(status: number, body: string | Buffer): ProtocolResponse {
  return { status, body };
}

function resultResponse(result: unknown, logs: LogStreams): ProtocolResponse {
  if (result instanceof RawJson) return reply(200, result.bytes);
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

/**
 * Checks the body as JSON without parsing it. The body's memory is the server's own, so a body
 * with whitespace between tokens is compacted where it lies: no second copy of a 64 MiB body.
 */
async function scanThen(
  body: Uint8Array | string | null,
  route: (scanned: ScannedBody) => Promise<ProtocolResponse>,
): Promise<ProtocolResponse> {
  if (body === null) return reply(413, errorBody(MESSAGES.bodyTooLarge));
  let bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : asBuffer(body);
  let scan = scanJson(bytes);
  if (scan === undefined) return reply(400, errorBody(MESSAGES.invalidJson));
  if (!scan.compact || scan.start !== 0 || scan.end !== bytes.length) {
    bytes = asBuffer(compactInPlace(bytes));
    scan = scanJson(bytes) as JsonScan;
  }
  return route({ bytes, scan });
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
