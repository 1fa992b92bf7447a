/**
 * Compact JSON as every owkit server writes it: what JSON.stringify gives, plus the U+2028 and
 * U+2029 escapes Go's encoding/json writes, so TS and Go variants answer byte for byte alike.
 */
export function toJson(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  return escapeLineSeparators(text);
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
