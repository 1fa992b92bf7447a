/**
 * JSON checked and measured as bytes, without building values: the protocol only needs to know
 * that a body is valid, where its top-level members are and what kind each one is. Params and
 * results then travel as the bytes that were sent, numbers and all, at any nesting depth the
 * bound below allows, and a 64 MiB body costs no parse.
 */

/** Go's encoding/json refuses deeper nesting; every owkit server answers it with the same 400. */
export const MAX_JSON_DEPTH = 10_000;

/** One member of the top-level object: its key, and where its value's bytes are. */
export interface JsonMember {
  key: string;
  /** The value's bytes are `[start, end)` of the scanned buffer. */
  start: number;
  end: number;
  /** True when the value holds no insignificant whitespace. */
  compact: boolean;
}

export interface JsonScan {
  /** The top-level value's bytes are `[start, end)`; whitespace around it is outside. */
  start: number;
  end: number;
  /** The value's first byte: `{`, `[`, `"`, `t`, `f`, `n`, `-` or a digit. */
  kind: number;
  /** True when the value holds no insignificant whitespace. */
  compact: boolean;
  /** The members of a top-level object, in order (empty for anything else). */
  members: JsonMember[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

export const JSON_KIND = {
  object: OPEN_OBJECT,
  array: OPEN_ARRAY,
  string: QUOTE,
} as const;

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

const SHORT_ESCAPES = new Set([QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** The index after the string that opens at `i`, or -1 when it is not a valid string. */
function skipString(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  let at = i + 1;
  while (at < n) {
    const c = bytes[at] as number;
    if (c === QUOTE) return at + 1;
    if (c === BACKSLASH) {
      const escaped = bytes[at + 1];
      if (escaped === 0x75) {
        if (!isHex(bytes[at + 2]) || !isHex(bytes[at + 3])) return -1;
        if (!isHex(bytes[at + 4]) || !isHex(bytes[at + 5])) return -1;
        at += 6;
      } else if (escaped !== undefined && SHORT_ESCAPES.has(escaped)) {
        at += 2;
      } else {
        return -1;
      }
    } else if (c < 0x20) {
      return -1;
    } else {
      at++;
    }
  }
  return -1;
}

/** The index after the number that starts at `i`, or -1. */
function skipNumber(bytes: Uint8Array, i: number): number {
  let at = i;
  if (bytes[at] === MINUS) at++;
  if (bytes[at] === ZERO) at++;
  else if (isDigit(bytes[at])) while (isDigit(bytes[at])) at++;
  else return -1;
  if (bytes[at] === DOT) {
    at++;
    if (!isDigit(bytes[at])) return -1;
    while (isDigit(bytes[at])) at++;
  }
  if (bytes[at] === 0x65 || bytes[at] === 0x45) {
    at++;
    if (bytes[at] === PLUS || bytes[at] === MINUS) at++;
    if (!isDigit(bytes[at])) return -1;
    while (isDigit(bytes[at])) at++;
  }
  return at;
}

const LITERALS: Record<number, readonly number[]> = {
  116: [0x74, 0x72, 0x75, 0x65], // true
  102: [0x66, 0x61, 0x6c, 0x73, 0x65], // false
  110: [0x6e, 0x75, 0x6c, 0x6c], // null
};

function skipLiteral(bytes: Uint8Array, i: number): number {
  const literal = LITERALS[bytes[i] as number];
  if (literal === undefined) return -1;
  for (let k = 0; k < literal.length; k++) if (bytes[i + k] !== literal[k]) return -1;
  return i + literal.length;
}

/** What each open level is, `{` or `[`: shared, since a scan runs start to end without yielding. */
const containers = new Uint8Array(MAX_JSON_DEPTH);

/**
 * Checks that `bytes` hold exactly one RFC 8259 JSON value (whitespace around it allowed, a BOM
 * not), at most MAX_JSON_DEPTH deep, and returns where it and its top-level members are; undefined
 * when it is not valid JSON. Strings' UTF-8 is not checked: decoders replace bad sequences with
 * U+FFFD, as Go does. No recursion: nesting costs one byte of stack per level.
 */
export function scanJson(bytes: Uint8Array): JsonScan | undefined {
  const n = bytes.length;
  let i = 0;
  while (isWhitespace(bytes[i])) i++;
  if (i >= n) return undefined;
  const start = i;
  let depth = 0;
  let whitespace = 0;
  const members: JsonMember[] = [];
  let memberKey = '';
  let memberStart = -1;
  let memberWhitespace = 0;

  const skipSpace = () => {
    const from = i;
    while (isWhitespace(bytes[i])) i++;
    whitespace += i - from;
  };
  /** Reads `"key" :` inside an object; false when that is not what follows. */
  const readKey = (): boolean => {
    skipSpace();
    if (bytes[i] !== QUOTE) return false;
    const keyEnd = skipString(bytes, i);
    if (keyEnd === -1) return false;
    if (depth === 1) memberKey = decodeKey(bytes, i, keyEnd);
    i = keyEnd;
    skipSpace();
    if (bytes[i] !== COLON) return false;
    i++;
    return true;
  };

  let expectValue = true;
  for (;;) {
    if (expectValue) {
      if (depth > 0) skipSpace();
      if (depth === 1 && containers[0] === OPEN_OBJECT) {
        memberStart = i;
        memberWhitespace = whitespace;
      }
      const c = bytes[i];
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (depth === MAX_JSON_DEPTH) return undefined;
        containers[depth++] = c;
        i++;
        skipSpace();
        const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
        if (bytes[i] === close) {
          depth--;
          i++;
        } else {
          if (c === OPEN_OBJECT && !readKey()) return undefined;
          continue;
        }
      } else {
        if (c === QUOTE) i = skipString(bytes, i);
        else if (c === MINUS || isDigit(c)) i = skipNumber(bytes, i);
        else i = skipLiteral(bytes, i);
        if (i === -1) return undefined;
      }
    }
    // A value just ended at `i`.
    if (depth === 0) break;
    if (depth === 1 && containers[0] === OPEN_OBJECT && memberStart !== -1) {
      members.push({
        key: memberKey,
        start: memberStart,
        end: i,
        compact: whitespace === memberWhitespace,
      });
      memberStart = -1;
    }
    skipSpace();
    const c = bytes[i];
    const open = containers[depth - 1];
    if (c === COMMA) {
      i++;
      if (open === OPEN_OBJECT && !readKey()) return undefined;
      expectValue = true;
    } else if (
      (c === CLOSE_OBJECT && open === OPEN_OBJECT) ||
      (c === CLOSE_ARRAY && open === OPEN_ARRAY)
    ) {
      depth--;
      i++;
      expectValue = false;
    } else {
      return undefined;
    }
  }
  const end = i;
  while (isWhitespace(bytes[i])) i++;
  if (i !== n) return undefined;
  return {
    start,
    end,
    kind: bytes[start] as number,
    compact: whitespace === 0,
    members: bytes[start] === OPEN_OBJECT ? members : [],
  };
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 text of `bytes[start, end)`; ASCII (keys, ids, deadlines) without a decoder call. */
function textOf(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if ((bytes[i] as number) >= 0x80) return utf8.decode(bytes.subarray(start, end));
  }
  return latin1Slice.call(bytes, start, end);
}

/** Node's own ASCII/Latin-1 decoder: one call, no intermediate strings. */
const latin1Slice = Buffer.prototype.latin1Slice as (
  this: Uint8Array,
  start: number,
  end: number,
) => string;

/**
 * A string token's value: its text when it holds no escape, else JSON.parse of the token. One
 * pass finds both whether it has an escape and whether it is ASCII.
 */
function stringOf(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start + 1; i < end - 1; i++) {
    const c = bytes[i] as number;
    if (c === BACKSLASH) return JSON.parse(utf8.decode(bytes.subarray(start, end))) as string;
    if (c >= 0x80) ascii = false;
  }
  return ascii
    ? latin1Slice.call(bytes, start + 1, end - 1)
    : utf8.decode(bytes.subarray(start + 1, end - 1));
}

function decodeKey(bytes: Uint8Array, start: number, end: number): string {
  return stringOf(bytes, start, end);
}

/** The text of a scanned member's value when it is a string, number or boolean; else undefined. */
export function scalarText(bytes: Uint8Array, member: JsonMember): string | undefined {
  const first = bytes[member.start];
  if (first === QUOTE) return stringOf(bytes, member.start, member.end);
  if (first === MINUS || isDigit(first)) {
    return String(Number(textOf(bytes, member.start, member.end)));
  }
  if (first === 0x74) return 'true';
  if (first === 0x66) return 'false';
  return undefined;
}

/**
 * Removes the whitespace between tokens of valid JSON, in place, and returns the compacted part
 * of the same memory. Strings, numbers and every other byte stay as they were.
 */
export function compactInPlace(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  let out = 0;
  let i = 0;
  while (i < n) {
    const c = bytes[i] as number;
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    if (c !== QUOTE) {
      bytes[out++] = c;
      i++;
      continue;
    }
    const end = skipString(bytes, i);
    if (out !== i) bytes.copyWithin(out, i, end);
    out += end - i;
    i = end;
  }
  return bytes.subarray(0, out);
}

/** Compact copy of valid JSON; the same memory when there is nothing to remove. */
export function compacted(bytes: Buffer, alreadyCompact: boolean): Buffer {
  if (alreadyCompact) return bytes;
  const copy = Buffer.from(bytes);
  const compact = compactInPlace(copy);
  return copy.subarray(0, compact.length);
}

/**
 * A JSON object or array as bytes that were checked and compacted: a result the protocol answers
 * byte for byte, numbers as the action wrote them.
 */
export class RawJson {
  readonly bytes: Buffer;

  private constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  /** The object or array in `bytes`, compacted; undefined for anything else or invalid JSON. */
  static of(bytes: Buffer): RawJson | undefined {
    const scan = scanJson(bytes);
    if (scan === undefined) return undefined;
    if (scan.kind !== OPEN_OBJECT && scan.kind !== OPEN_ARRAY) return undefined;
    return new RawJson(compacted(bytes.subarray(scan.start, scan.end), scan.compact));
  }
}
