import { describe, expect, it } from 'vitest';
import {
  binomialHalfCdf,
  median,
  medianInterval,
  percentile,
  ratio,
  summarize,
} from '../src/stats.js';

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

describe('medianInterval', () => {
  const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('binomialHalfCdf sums the binomial exactly', () => {
    expect(binomialHalfCdf(10, 1)).toBeCloseTo(11 / 1024, 12);
    expect(binomialHalfCdf(10, 2)).toBeCloseTo(56 / 1024, 12);
    expect(binomialHalfCdf(6, 0)).toBeCloseTo(1 / 64, 12);
    expect(binomialHalfCdf(6, 6)).toBe(1);
    expect(binomialHalfCdf(6, -1)).toBe(0);
  });

  it('10 rounds: the 2nd smallest to the 2nd largest, 97.9 % sure', () => {
    const interval = medianInterval(ranks(10).reverse());
    expect(interval).toMatchObject({ low: 2, high: 9, lowRank: 2, highRank: 9 });
    expect(interval.coverage).toBeCloseTo(1 - 22 / 1024, 12);
  });

  it('20 rounds: the 6th to the 15th (the textbook table)', () => {
    expect(medianInterval(ranks(20))).toMatchObject({ low: 6, high: 15 });
    expect(medianInterval(ranks(20)).coverage).toBeGreaterThanOrEqual(0.95);
  });

  it('6 rounds is the fewest with 95 %: the whole range, 96.9 % sure', () => {
    const six = medianInterval([5, 3, 9, 1, 7, 2]);
    expect(six).toMatchObject({ low: 1, high: 9 });
    expect(six.coverage).toBeCloseTo(1 - 2 / 64, 12);
  });

  it('fewer than 6 rounds: the whole range with the coverage it really has', () => {
    expect(medianInterval([1, 2, 3, 4, 5]).coverage).toBeCloseTo(1 - 2 / 32, 12);
    expect(medianInterval([4, 2, 3])).toMatchObject({ low: 2, high: 4, coverage: 0.75 });
    expect(medianInterval([7])).toMatchObject({ low: 7, high: 7, coverage: 0 });
  });

  it('holds the true median at least 95 % of the time (a simulation)', () => {
    // Skewed samples (exponential, median ln 2), seeded so the test is deterministic.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let held = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      const samples = Array.from({ length: 10 }, () => -Math.log(1 - random()));
      const { low, high } = medianInterval(samples);
      if (low <= Math.LN2 && Math.LN2 <= high) held++;
    }
    expect(held / trials).toBeGreaterThan(0.965);
    expect(held / trials).toBeLessThan(0.99);
  });
});
