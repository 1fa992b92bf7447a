import type { FileHandle } from 'node:fs/promises';

/** Why `/init` code could not be decoded; the message goes to the logs. */
export class CodeDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeDecodeError';
  }
}

/** How many decoded bytes are gathered before each write: bounded memory, few system calls. */
const PIECE_BYTES = 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SHORT_ESCAPES: Record<number, number> = {
  34: 0x22,
  92: 0x5c,
  47: 0x2f,
  98: 0x08,
  102: 0x0c,
  110: 0x0a,
  114: 0x0d,
  116: 0x09,
};

/**
 * Walks a JSON string literal (the raw bytes the request carried, quotes included) and hands its
 * content on as UTF-8 pieces: runs without escapes as views of the literal (no copy), escapes
 * decoded. The request was already checked as JSON, so the literal is well formed.
 */
export async function decodeJsonString(
  literal: Buffer,
  onPiece: (piece: Buffer) => Promise<void>,
): Promise<void> {
  if (literal.length < 2 || literal[0] !== QUOTE || literal[literal.length - 1] !== QUOTE) {
    throw new CodeDecodeError('init code must be a string');
  }
  const end = literal.length - 1;
  let at = 1;
  while (at < end) {
    const backslash = literal.indexOf(BACKSLASH, at);
    const runEnd = backslash === -1 || backslash > end ? end : backslash;
    for (let start = at; start < runEnd; start += PIECE_BYTES) {
      await onPiece(literal.subarray(start, Math.min(runEnd, start + PIECE_BYTES)));
    }
    if (runEnd === end) return;
    // Consecutive escapes (a base64 text wrapped at every line) are gathered into one piece.
    const escaped: number[] = [];
    at = runEnd;
    while (at < end && literal[at] === BACKSLASH && escaped.length < PIECE_BYTES) {
      at = decodeEscape(literal, at, escaped);
    }
    await onPiece(Buffer.from(escaped));
  }
}

/** Decodes the escape at `at` into `out` as UTF-8; returns where the next byte starts. */
function decodeEscape(literal: Buffer, at: number, out: number[]): number {
  const kind = literal[at + 1] as number;
  const short = SHORT_ESCAPES[kind];
  if (short !== undefined) {
    out.push(short);
    return at + 2;
  }
  let unit = Number.parseInt(literal.toString('latin1', at + 2, at + 6), 16);
  let next = at + 6;
  if (
    unit >= 0xd800 &&
    unit <= 0xdbff &&
    literal[next] === BACKSLASH &&
    literal[next + 1] === 0x75
  ) {
    const low = Number.parseInt(literal.toString('latin1', next + 2, next + 6), 16);
    if (low >= 0xdc00 && low <= 0xdfff) {
      unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
      next += 6;
    }
  }
  // A lone surrogate becomes U+FFFD, as writing the parsed string would have made it.
  const char = unit >= 0xd800 && unit <= 0xdfff ? '\ufffd' : String.fromCodePoint(unit);
  for (const byte of Buffer.from(char, 'utf8')) out.push(byte);
  return next;
}

/** 0 invalid, 1 base64 digit, 2 whitespace (skipped, as in wrapped base64), 3 padding. */
const BASE64_CLASS = (() => {
  const table = new Uint8Array(256);
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') {
    table[char.charCodeAt(0)] = 1;
  }
  for (const char of ' \t\r\n') table[char.charCodeAt(0)] = 2;
  table['='.charCodeAt(0)] = 3;
  return table;
})();

/**
 * Decodes base64 text arriving in pieces and writes the bytes to a file, holding at most one piece
 * of digits at a time. Whitespace is skipped; anything else but digits and final padding is an
 * error, as is a length that is not a whole number of 4-digit groups.
 */
export class Base64ToFile {
  readonly #file: FileHandle;
  readonly #digits = Buffer.allocUnsafe(PIECE_BYTES);
  #count = 0;
  #padding = 0;
  #total = 0;
  #written = 0;

  constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Bytes written to the file so far. */
  get written(): number {
    return this.#written;
  }

  async push(piece: Buffer): Promise<void> {
    const digits = this.#digits;
    for (let i = 0; i < piece.length; i++) {
      const byte = piece[i] as number;
      const kind = BASE64_CLASS[byte];
      if (kind === 1 && this.#padding === 0) {
        digits[this.#count++] = byte;
        if (this.#count === PIECE_BYTES) await this.#flush(PIECE_BYTES);
      } else if (kind === 3 && this.#padding < 2) {
        this.#padding += 1;
        digits[this.#count++] = byte;
        if (this.#count === PIECE_BYTES) await this.#flush(PIECE_BYTES);
      } else if (kind !== 2) {
        throw new CodeDecodeError(
          `init code is not valid base64: unexpected ${describeByte(byte)} after ${this.#total + this.#count} digits`,
        );
      }
    }
  }

  /** Writes what is left; the whole text must have been a whole number of 4-digit groups. */
  async finish(): Promise<void> {
    if ((this.#total + this.#count) % 4 !== 0) {
      throw new CodeDecodeError('init code is not valid base64: its length is not a multiple of 4');
    }
    await this.#flush(this.#count);
  }

  async #flush(upTo: number): Promise<void> {
    // PIECE_BYTES is a multiple of 4, so a full piece decodes on its own.
    const bytes = Buffer.from(this.#digits.toString('latin1', 0, upTo), 'base64');
    this.#total += upTo;
    this.#count = 0;
    if (bytes.length === 0) return;
    await this.#file.write(bytes, 0, bytes.length);
    this.#written += bytes.length;
  }
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16)}`;
}
