import { describe, expect, it } from 'vitest';
import { compareRuns, overlaps, renderComparison } from '../src/compare-runs.js';
import { evaluateGoals } from '../src/goals.js';
import { fixtureResult, throughput } from './fixtures/result.js';

function run(goNativeAt32: number[]) {
  const result = fixtureResult();
  const native = result.variants.find((v) => v.name === 'go-native');
  if (native === undefined) throw new Error('fixture has no go-native');
  native.throughput = throughput({ 1: [7000, 7200, 6000, 7100, 6900, 7050], 32: goNativeAt32 });
  result.goals = evaluateGoals(result);
  return result;
}

describe('overlaps', () => {
  it('tells whether two intervals share a value', () => {
    expect(overlaps({ low: 1, high: 2 }, { low: 2, high: 3 })).toBe(true);
    expect(overlaps({ low: 1, high: 2 }, { low: 2.1, high: 3 })).toBe(false);
    expect(overlaps(null, { low: 1, high: 1 })).toBeNull();
  });
});

describe('compareRuns', () => {
  const missed = run([40000, 41000, 39000, 40500, 40200, 39800]);
  const met = run([47000, 48000, 46500, 47500, 47200, 46800]);

  it('gives both values, the ratio and the overlap of every figure', () => {
    const figures = compareRuns(missed, met);
    const rps = figures.find((f) => f.id === 'go-native-rps-c32');
    expect(rps).toMatchObject({ a: 40100, b: 47100, overlap: false });
    expect(rps?.ratio).toBeCloseTo(47100 / 40100);
    const size = figures.find((f) => f.id === 'go-native-compressed-bytes');
    expect(size).toMatchObject({ a: 2_000_000, b: 2_000_000, ratio: 1, overlap: true });
  });

  it('flags a goal whose verdict changed while the intervals do not overlap', () => {
    const figures = compareRuns(missed, met);
    const goal = figures.find((f) => f.id === 'throughput-floor-go-native-c32-docker');
    expect(goal).toMatchObject({ aVerdict: 'missed', bVerdict: 'met', changed: true });
    expect(figures.filter((f) => f.changed).map((f) => f.id)).toEqual([
      'throughput-floor-go-native-c32-docker',
    ]);
    expect(renderComparison('a.json', 'b.json', figures)).toContain(
      '1 goal(s) changed verdict with non-overlapping intervals: throughput-floor-go-native-c32',
    );
  });

  it('does not flag a run compared with itself, nor a change the noise covers', () => {
    expect(compareRuns(missed, missed).some((f) => f.changed)).toBe(false);
    // Straddling (inconclusive) in B: the verdict changed, but the intervals overlap.
    const open = run([40000, 47000, 44000, 46000, 43000, 45500]);
    const goal = compareRuns(missed, open).find(
      (f) => f.id === 'throughput-floor-go-native-c32-docker',
    );
    expect(goal?.bVerdict).toBe('inconclusive');
    expect(goal?.changed).toBe(false);
  });
});
