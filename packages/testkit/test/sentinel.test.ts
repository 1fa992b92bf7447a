import { describe, expect, it } from 'vitest';
import { countSentinels, SENTINEL } from '../src/index.js';

describe('countSentinels', () => {
  it('counts only lines that are exactly the sentinel', () => {
    const text = [
      'log line',
      SENTINEL,
      `prefix ${SENTINEL}`,
      `${SENTINEL} suffix`,
      SENTINEL,
      '',
    ].join('\n');
    expect(countSentinels(text)).toBe(2);
    expect(countSentinels('')).toBe(0);
    expect(countSentinels(`${SENTINEL}\r\n`)).toBe(1);
  });
});
