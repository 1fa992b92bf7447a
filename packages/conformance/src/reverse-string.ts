/**
 * What the reverse-string action must answer, written independently of every variant: a
 * code-point reversal after lone surrogates become U+FFFD, then the protocol's JSON encoding
 * (protocol §4), character by character.
 */

/** The payload's code points, lone UTF-16 surrogates replaced by U+FFFD, in reverse order. */
export function reverseCodePoints(text: string): string {
  const points: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      points.push(0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      points.push(0xfffd);
    } else {
      points.push(unit);
    }
  }
  points.reverse();
  // In slices: spreading a million arguments into one call overflows the stack.
  let out = '';
  for (let start = 0; start < points.length; start += 8192) {
    out += String.fromCodePoint(...points.slice(start, start + 8192));
  }
  return out;
}

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
};

/** A JSON string literal as protocol §4 pins it (the input must be well formed). */
export function encodeJsonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const point = char.codePointAt(0) as number;
    const short = SHORT_ESCAPES[point];
    if (short !== undefined) out += short;
    else if (point < 0x20) out += `\\u${point.toString(16).padStart(4, '0')}`;
    else if (point === 0x2028 || point === 0x2029) out += `\\u${point.toString(16)}`;
    else out += char;
  }
  return `${out}"`;
}

/** The exact body every variant must answer for `{"payload": payload}`. */
export function expectedBody(payload: unknown): string {
  if (typeof payload !== 'string') return '{"error":"payload must be a string"}';
  return `{"reversed":${encodeJsonString(reverseCodePoints(payload))}}`;
}

/** Payloads whose answers must be byte-identical across variants, each named for the matrix. */
export const trickyPayloads: ReadonlyArray<readonly [string, string]> = [
  ['ascii', 'hello world'],
  ['empty', ''],
  ['emoji with modifiers and ZWJ', 'ok 👍🏽 👨‍👩‍👧 🏳️‍🌈'],
  ['combining marks', 'e\u0301a\u0308n\u0303 Z\u0351\u0352\u0353'],
  ['HTML-significant characters', '<script>alert("x")</script> & \'q\''],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['control characters', '\u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f\u007f\u0085'],
  ['backslashes, quotes, slashes', '\\"/\\\\n'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['reversed surrogate pair', 'x\udc00\ud800y'],
  ['astral characters', '𝄞𐍈😀'],
  ['BOM, noncharacters, replacement', '\ufeff\uffff\ufffe\ufffd'],
  ['right-to-left and CJK', 'שלום עולם 你好 こんにちは'],
  ['JSON-looking text', '{"reversed":"x"}\n'],
];
