import { describe, expect, it } from 'vitest';
import { compactInPlace, MAX_JSON_DEPTH, RawJson, scanJson } from '../src/index.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function nested(depth: number, inner = '1'): string {
  return '['.repeat(depth) + inner + ']'.repeat(depth);
}

describe('scanJson', () => {
  it.each([
    '{}',
    '[]',
    ' {"a" : [1, -2.5e+3, 0, true, false, null, "x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]} ',
    '"just a string"',
    '0',
    '-0.0e-0',
    'null',
    '{"a":{"b":{}},"c":[[],[{}]]}',
    '"é 漢 😀"',
  ])('accepts %s', (text) => {
    expect(scanJson(bytes(text))).toBeDefined();
  });

  it.each([
    ['empty', ''],
    ['whitespace only', ' \n'],
    ['a UTF-8 BOM', '\uFEFF{}'],
    ['trailing text', '{} x'],
    ['two values', '{}{}'],
    ['a trailing comma', '[1,]'],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a leading zero', '[01]'],
    ['a bare dot', '[1.]'],
    ['a plus sign', '[+1]'],
    ['an empty exponent', '[1e]'],
    ['a single-quoted string', "['a']"],
    ['a raw control character in a string', '["a\u0001"]'],
    ['a raw newline in a string', '["a\nb"]'],
    ['a bad escape', '["\\x"]'],
    ['a short unicode escape', '["\\u12"]'],
    ['an unterminated string', '["abc'],
    ['an unclosed array', '[1'],
    ['a mismatched bracket', '[1}'],
    ['a key that is not a string', '{1:2}'],
    ['a missing colon', '{"a" 1}'],
    ['NaN', '[NaN]'],
    ['a misspelt literal', '[tru]'],
    ['a vertical tab as whitespace', '\u000b{}'],
    ['a non-breaking space as whitespace', '\u00a0{}'],
  ])('refuses %s', (_name, text) => {
    expect(scanJson(bytes(text))).toBeUndefined();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, as Go does`, () => {
    expect(scanJson(bytes(nested(MAX_JSON_DEPTH)))).toBeDefined();
    expect(scanJson(bytes(nested(MAX_JSON_DEPTH + 1)))).toBeUndefined();
    expect(scanJson(bytes(`{"a":${nested(MAX_JSON_DEPTH)}}`))).toBeUndefined();
  });

  it('survives nesting far past the bound without a stack overflow', () => {
    expect(scanJson(bytes(nested(1_000_000)))).toBeUndefined();
  });

  it('agrees with JSON.parse on random token soup', () => {
    const tokens = ['{', '}', '[', ']', ',', ':', '"a"', '1', '-', '0', 'e', '.', ' ', 'true', '"'];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let valid = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 8);
      for (let k = 0; k < length; k++) text += tokens[Math.floor(random() * tokens.length)];
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      if (parses) valid++;
      expect(scanJson(bytes(text)) !== undefined, text).toBe(parses);
    }
    expect(valid).toBeGreaterThan(100);
  });

  it('finds the top-level members, their spans and whether each is compact', () => {
    const text = ' { "value" : { "a" : [ 1 ] } , "n":12,"s":"x y", "value":[] } ';
    const scan = scanJson(bytes(text));
    expect(scan).toBeDefined();
    const { members } = scan as NonNullable<typeof scan>;
    expect(members.map((m) => [m.key, text.slice(m.start, m.end), m.compact])).toEqual([
      ['value', '{ "a" : [ 1 ] }', false],
      ['n', '12', true],
      ['s', '"x y"', true],
      ['value', '[]', true],
    ]);
    expect(scan?.compact).toBe(false);
    expect(text.slice(scan?.start, scan?.end)).toBe(text.trim());
    expect(scanJson(bytes('{"k\\u0041y":1}'))?.members[0]?.key).toBe('kAy');
    expect(scanJson(bytes('[1,{"a":2}]'))?.members).toEqual([]);
  });
});

describe('compactInPlace', () => {
  it('removes whitespace between tokens and nothing else', () => {
    const text = ' { "a b" : [ 1e400 , -0 , "\\" x " ] ,\n\t"c":\r\n1234567890123456789 } ';
    const buffer = bytes(text);
    const out = compactInPlace(buffer);
    expect(Buffer.from(out).toString()).toBe('{"a b":[1e400,-0,"\\" x "],"c":1234567890123456789}');
    expect(out.buffer).toBe(buffer.buffer);
  });
});

describe('RawJson', () => {
  it('keeps an object or array byte for byte, compacted, numbers untouched', () => {
    expect(
      RawJson.of(bytes(' {"id": 1234567890123456789, "x":1e400,"z":-0}\n'))?.bytes.toString(),
    ).toBe('{"id":1234567890123456789,"x":1e400,"z":-0}');
    const compact = bytes('[1,2]');
    const raw = RawJson.of(compact);
    compact[1] = 0x37;
    expect(raw?.bytes.toString()).toBe('[7,2]'); // the same memory: no copy when already compact
    expect(RawJson.of(bytes(nested(5000)))?.bytes.length).toBe(10_001);
  });

  it.each(['1', '"s"', 'null', '{', '{} {}', ''])('refuses %s', (text) => {
    expect(RawJson.of(bytes(text))).toBeUndefined();
  });
});
