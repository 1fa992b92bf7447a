import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, summarize } from '../src/stats.js';

describe('stats', () => {
  it('median of odd and even counts, in any order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('p90 is the nearest-rank sample', () => {
    const samples = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(samples, 90)).toBe(90);
    expect(percentile([...samples, 110], 90)).toBe(100);
    expect(percentile([3, 1, 2, 5, 4], 90)).toBe(5);
    expect(percentile([3, 1, 2, 5, 4], 50)).toBe(3);
  });

  it('summarize gives count, median, p90, min and max', () => {
    expect(summarize([120, 100, 140, 110, 500])).toEqual({
      count: 5,
      median: 120,
      p90: 500,
      min: 100,
      max: 500,
    });
  });

  it('refuses to summarize nothing', () => {
    expect(() => summarize([])).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });

  it('ratio is null when a side is missing or zero', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(null, 4)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
  });
});
