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

const INVALID = 255;
const SKIP = 64;
const PAD = 65;
/** Each byte's 6-bit value, or SKIP (whitespace, as in wrapped base64), PAD (`=`), INVALID. */
const BASE64_VALUE = (() => {
  const table = new Uint8Array(256).fill(INVALID);
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let value = 0; value < digits.length; value++) table[digits.charCodeAt(value)] = value;
  for (const char of ' \t\r\n') table[char.charCodeAt(0)] = SKIP;
  table['='.charCodeAt(0)] = PAD;
  return table;
})();

/** Decoded bytes gathered per write; a multiple of 3, reused for every write. */
const OUTPUT_BYTES = 3 * 256 * 1024;

/**
 * Decodes base64 text arriving in pieces straight into a file, through one reused buffer: no
 * string and no garbage per piece, so a 64 MB text costs well under a megabyte. Whitespace is
 * skipped; anything else but digits and final padding is an error, as is a text that is not a
 * whole number of 4-digit groups.
 */
export class Base64ToFile {
  readonly #file: FileHandle;
  readonly #out = Buffer.allocUnsafe(OUTPUT_BYTES);
  #length = 0;
  /** The digits of the group being read, as bits, and how many there are. */
  #bits = 0;
  #digits = 0;
  #padding = 0;
  #groups = 0;
  #written = 0;

  constructor(file: FileHandle) {
    this.#file = file;
  }

  /** Bytes written to the file so far. */
  get written(): number {
    return this.#written;
  }

  async push(piece: Buffer): Promise<void> {
    const out = this.#out;
    for (let i = 0; i < piece.length; i++) {
      const value = BASE64_VALUE[piece[i] as number] as number;
      if (value < SKIP && this.#padding === 0) {
        this.#bits = (this.#bits << 6) | value;
      } else if (value === PAD && this.#digits >= 2) {
        this.#padding += 1;
        this.#bits <<= 6;
      } else if (value === SKIP) {
        continue;
      } else {
        throw new CodeDecodeError(
          `init code is not valid base64: unexpected ${describeByte(piece[i] as number)} after ${4 * this.#groups + this.#digits} digits`,
        );
      }
      if (++this.#digits < 4) continue;
      const bits = this.#bits;
      out[this.#length++] = bits >>> 16;
      if (this.#padding < 2) out[this.#length++] = (bits >>> 8) & 0xff;
      if (this.#padding < 1) out[this.#length++] = bits & 0xff;
      this.#bits = 0;
      this.#digits = 0;
      this.#groups += 1;
      if (this.#length === OUTPUT_BYTES) await this.#flush();
    }
  }

  /** Writes what is left; the whole text must have been a whole number of 4-digit groups. */
  async finish(): Promise<void> {
    if (this.#digits !== 0) {
      throw new CodeDecodeError('init code is not valid base64: its length is not a multiple of 4');
    }
    await this.#flush();
  }

  async #flush(): Promise<void> {
    const length = this.#length;
    this.#length = 0;
    if (length === 0) return;
    await this.#file.write(this.#out, 0, length);
    this.#written += length;
  }
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16)}`;
}
