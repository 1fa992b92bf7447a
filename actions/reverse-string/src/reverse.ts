import type { Handler } from '@owkit/runtime';

export interface ReverseParams {
  payload?: unknown;
}

/**
 * Reverses `payload` by Unicode code point, as Go's []rune reversal does. Lone surrogates become
 * U+FFFD first, which is what Go's JSON decoder hands the Go variants, so every variant answers
 * byte for byte alike.
 */
export const reverse: Handler<ReverseParams> = ({ payload }) => {
  if (typeof payload !== 'string') return { error: 'payload must be a string' };
  return { reversed: reverseCodePoints(payload) };
};

/**
 * One UTF-8 buffer, reversed in place: encoding already turns lone surrogates into U+FFFD, and
 * after reversing every byte only the bytes inside each multi-byte character need turning back.
 * Memory is the text, its bytes and the result, however long the text is (no array per
 * character: a 64 MiB payload must fit in a 256 MB container).
 */
export function reverseCodePoints(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  bytes.reverse();
  if (bytes.length !== text.length) restoreCharacters(bytes);
  return bytes.toString('utf8');
}

/** After a byte-wise reversal, each character's continuation bytes precede its lead byte. */
function restoreCharacters(bytes: Buffer): void {
  let start = -1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if ((byte & 0xc0) === 0x80) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      // bytes[start..i] is one character back to front: continuation bytes, then its lead byte.
      for (let low = start, high = i; low < high; low++, high--) {
        const swap = bytes[low] as number;
        bytes[low] = bytes[high] as number;
        bytes[high] = swap;
      }
      start = -1;
    }
  }
}
