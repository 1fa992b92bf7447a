import { describe, expect, it } from 'vitest';
import { reverse } from '../src/reverse.js';

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
});
