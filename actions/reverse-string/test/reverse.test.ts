import { describe, expect, it } from 'vitest';
import { reverse, reverseCodePoints } from '../src/reverse.js';

const ctx = {} as Parameters<typeof reverse>[1];

describe('reverse', () => {
  it.each([
    ['hello world', 'dlrow olleh'],
    ['', ''],
    ['a', 'a'],
    ['héllo', 'olléh'],
    ['🙂👍', '👍🙂'],
    // Code points, not graphemes: the combining accent moves with the reversal, as in Go.
    ['e\u0301a', 'a\u0301e'],
    ['<a&b>', '>b&a<'],
    ['\u2028x\u2029', '\u2029x\u2028'],
    ['\ud800ab', 'ba\ufffd'],
    ['x\udfff', '\ufffdx'],
  ])('reverses %j by code point', (payload, reversed) => {
    expect(reverse({ payload }, ctx)).toEqual({ reversed });
  });

  it.each([[undefined], [null], [42], [{ a: 1 }], [['x']], [true]])(
    'answers an application error when payload is %j',
    (payload) => {
      expect(reverse({ payload }, ctx)).toEqual({ error: 'payload must be a string' });
    },
  );

  it('agrees with an array of code points on random text, lone surrogates included', () => {
    const units = [0x61, 0x7f, 0xe9, 0x7ff, 0x800, 0x6f22, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0xffff];
    let seed = 7;
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const length = n % 17;
      for (let k = 0; k < length; k++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        text += String.fromCharCode(units[seed % units.length] as number);
      }
      expect(reverseCodePoints(text)).toBe(Array.from(text.toWellFormed()).reverse().join(''));
    }
  });
});
