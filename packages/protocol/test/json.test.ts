import { describe, expect, it } from 'vitest';
import { toJson, toJsonBytes } from '../src/json.js';

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

describe('toJson past the stack', () => {
  const nested = (depth: number, inner: unknown = 1): unknown => {
    let value = inner;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };

  it('writes a result nested 10,000 deep, as JSON.parse reads it back', () => {
    const value = { deep: nested(10_000) };
    const text = toJson(value) as string;
    expect(text.startsWith('{"deep":{"k":[{"k":[')).toBe(true);
    // Compared as text: a recursive deep-equal would itself run out of stack.
    expect(toJson(JSON.parse(text))).toBe(text);
    expect(text.length).toBe(
      '{"deep":}'.length + 5_000 * '[]'.length + 5_000 * '{"k":}'.length + 1,
    );
  });

  it('keeps JSON.stringify rules at depth: toJSON, skipped members, null in arrays, cycles, BigInt', () => {
    const date = new Date(0);
    const rules = {
      date,
      skip: undefined,
      fn: () => 1,
      arr: [undefined, () => 1, Symbol('s'), Number.NaN, -0, new Number(2), new String('s'), true],
      custom: { toJSON: (key: string) => `key:${key}` },
    };
    const deep = nested(6_000, rules);
    const expected = JSON.stringify(nested(100, rules)).replace(/^(\[\{"k":|\[)+|(\}\]|\])+$/g, '');
    const text = toJson(deep) as string;
    expect(text).toContain(expected.slice(0, 60));
    expect(text).toContain(
      '{"date":"1970-01-01T00:00:00.000Z","arr":[null,null,null,null,0,2,"s",true],"custom":"key:custom"}',
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = nested(6_000, cycle);
    expect(() => toJson(cycle)).toThrow(TypeError);
    expect(() => toJson(nested(6_000, 1n))).toThrow(TypeError);
  });
});
