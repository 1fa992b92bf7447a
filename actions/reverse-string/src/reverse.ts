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
  return { reversed: Array.from(payload.toWellFormed()).reverse().join('') };
};
