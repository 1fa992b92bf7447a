import { describe, expect, it } from 'vitest';
import { toJson, toJsonBytes } from '../src/core/json.js';

const LONG = (1 << 20) + 3;

describe('toJsonBytes', () => {
  it.each([
    ['ASCII', 'a'.repeat(LONG)],
    ['escapes and separators', 'x"\\\n\u0001\u2028<&>\u2029'.repeat(LONG / 10)],
    ['pairs across piece boundaries', `a${'😀'.repeat(LONG / 2)}`],
    ['lone surrogates', `\ud800${'é漢'.repeat(LONG / 2)}\udfff`],
  ])('writes a long top-level string (%s) exactly as toJson does', (_name, text) => {
    for (const value of [
      { reversed: text, n: 1 },
      [text, 2, { a: text }],
      { a: 'short', b: text },
    ]) {
      expect(toJsonBytes(value)?.equals(Buffer.from(toJson(value) as string))).toBe(true);
    }
  });

  it('leaves results without long strings to toJson', () => {
    const value = { a: [1, { b: 'c\u2028' }], d: null };
    expect(toJsonBytes(value)?.toString()).toBe(toJson(value));
    expect(toJsonBytes(undefined)).toBeUndefined();
  });

  it('honours toJSON and class instances as JSON.stringify does', () => {
    const withToJson = { long: 'x'.repeat(LONG), toJSON: () => ({ short: 1 }) };
    expect(toJsonBytes(withToJson)?.toString()).toBe('{"short":1}');
    class Result {
      constructor(readonly long: string) {}
    }
    const instance = new Result('y'.repeat(LONG));
    expect(toJsonBytes(instance)?.toString()).toBe(toJson(instance));
  });
});
