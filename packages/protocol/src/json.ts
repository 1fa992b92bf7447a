/**
 * Compact JSON as every owkit server writes it: what JSON.stringify gives, plus the U+2028 and
 * U+2029 escapes Go's encoding/json writes, so TS and Go variants answer byte for byte alike.
 */
export function toJson(value: unknown): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // JSON.stringify recurses: past a few thousand levels the stack runs out. Go's encoder has no
    // such bound, so a deep result is written again, without recursion.
    if (!(error instanceof RangeError)) throw error;
    text = stringifyIteratively(value);
  }
  if (text === undefined) return undefined;
  return escapeLineSeparators(text);
}

const CONTAINER = Symbol('container');

interface Level {
  holder: Record<string, unknown>;
  /** Own enumerable keys of an object; null for an array. */
  keys: string[] | null;
  length: number;
  next: number;
  wrote: boolean;
}

/** JSON.stringify's output and rules (toJSON, skipped members, cycles, BigInt) with a heap stack. */
function stringifyIteratively(root: unknown): string | undefined {
  const out: string[] = [];
  const levels: Level[] = [];
  const open = new Set<object>();
  const enter = (value: object) => {
    if (open.has(value)) throw new TypeError('Converting circular structure to JSON');
    open.add(value);
    const keys = Array.isArray(value) ? null : Object.keys(value);
    out.push(keys === null ? '[' : '{');
    const length = keys === null ? (value as unknown[]).length : keys.length;
    levels.push({ holder: value as Record<string, unknown>, keys, length, next: 0, wrote: false });
  };
  const first = jsonReady(root, '');
  const rootText = scalarJson(first);
  if (rootText !== CONTAINER) return rootText;
  enter(first as object);
  for (let level = levels.at(-1); level !== undefined; level = levels.at(-1)) {
    if (level.next >= level.length) {
      out.push(level.keys === null ? ']' : '}');
      open.delete(level.holder);
      levels.pop();
      continue;
    }
    const index = level.next++;
    const key = level.keys === null ? String(index) : (level.keys[index] as string);
    const value = jsonReady(level.holder[key], key);
    const text = scalarJson(value);
    const comma = level.wrote ? ',' : '';
    if (level.keys !== null) {
      if (text === undefined) continue;
      out.push(`${comma}${JSON.stringify(key)}:`);
    } else {
      out.push(comma);
    }
    level.wrote = true;
    if (text === CONTAINER) enter(value as object);
    else out.push(text ?? 'null');
  }
  return out.join('');
}

/** A value after toJSON and the unwrapping of boxed primitives, as JSON.stringify sees it. */
function jsonReady(value: unknown, key: string): unknown {
  let ready = value;
  if ((typeof ready === 'object' && ready !== null) || typeof ready === 'bigint') {
    const toJSON = (ready as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') ready = toJSON.call(ready, key);
  }
  if (ready instanceof Number) return Number(ready);
  if (ready instanceof String) return String(ready);
  if (ready instanceof Boolean) return ready.valueOf();
  return ready;
}

function scalarJson(value: unknown): string | undefined | typeof CONTAINER {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      return CONTAINER;
    default:
      return undefined;
  }
}

const LINE_SEPARATORS = /[\u2028\u2029]/g;

function escapeLineSeparators(text: string): string {
  if (!text.includes('\u2028') && !text.includes('\u2029')) return text;
  return text.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

/** True for the values the protocol accepts as params and results: objects and arrays. */
export function isDictionaryOrArray(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

export function errorBody(message: string): string {
  return toJson({ error: message }) as string;
}

/** Strings at least this long (UTF-16 units) at a result's top level are written piece by piece. */
const LONG_STRING = 1 << 20;
const PIECE = 1 << 16;
const MARKER_ID = `owkit-${Math.random().toString(36).slice(2)}`;
const MARKER = `\u0000${MARKER_ID}-`;
/** How a marker reads once JSON.stringify has escaped it: "\u0000owkit-…-<n>". */
const MARKER_IN_JSON = new RegExp(`"\\\\u0000${MARKER_ID}-\\d+"`);

/**
 * A result as the bytes of its compact JSON (see toJson). A long string at the top level of an
 * object or array — a 64 MiB payload reversed — is escaped piece by piece straight into the
 * answer, so it is never copied into one JSON string and then again into the bytes.
 */
export function toJsonBytes(value: unknown): Buffer | undefined {
  const long = longTopLevelStrings(value);
  if (long === undefined) {
    const text = toJson(value);
    return text === undefined ? undefined : Buffer.from(text, 'utf8');
  }
  const source = value as Record<string, unknown>;
  const frame = (Array.isArray(value) ? [...value] : { ...source }) as Record<string, unknown>;
  const strings: string[] = [];
  for (const key of long) {
    frame[key] = `${MARKER}${strings.length}`;
    strings.push(source[key] as string);
  }
  const text = toJson(frame) as string;
  const parts = text.split(MARKER_IN_JSON);
  if (parts.length !== strings.length + 1) return Buffer.from(toJson(value) as string, 'utf8');
  let size = 0;
  for (const part of parts) size += Buffer.byteLength(part);
  for (const string of strings) size += 2 + escapedByteLength(string);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  parts.forEach((part, n) => {
    at += out.write(part, at);
    const string = strings[n];
    if (string === undefined) return;
    out[at++] = 0x22;
    forEachEscapedPiece(string, (piece) => {
      at += out.write(piece, at);
    });
    out[at++] = 0x22;
  });
  return out;
}

function longTopLevelStrings(value: unknown): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype = Object.getPrototypeOf(value);
  const plain = prototype === Object.prototype || prototype === null;
  if (!(plain || Array.isArray(value)) || 'toJSON' in value) return undefined;
  // Most results are small objects: looked at without allocating a key list.
  let long: string[] | undefined;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++count > 64) return undefined;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item !== 'string' || item.length < LONG_STRING) continue;
    long ??= [];
    long.push(key);
  }
  return long;
}

/** What JSON.stringify (or toJson) would write differently from the character itself. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** The string's JSON escape in pieces (without quotes), never splitting a surrogate pair. */
function forEachEscapedPiece(string: string, write: (piece: string) => void): void {
  for (let start = 0; start < string.length; ) {
    let end = Math.min(string.length, start + PIECE);
    const last = string.charCodeAt(end - 1);
    if (end < string.length && last >= 0xd800 && last <= 0xdbff) end--;
    const piece = string.slice(start, end);
    if (NEEDS_ESCAPE.test(piece)) write((toJson(piece) as string).slice(1, -1));
    else write(piece);
    start = end;
  }
}

function escapedByteLength(string: string): number {
  let size = 0;
  forEachEscapedPiece(string, (piece) => {
    size += Buffer.byteLength(piece);
  });
  return size;
}
