import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/exit.js';
import { evaluateGoals, pairedRatio, relativeWidthPct, verdictOf } from '../src/goals.js';
import { fixtureResult, withProcessPass } from './fixtures/result.js';

const rounds = (values: number[]) => new Map(values.map((v, i) => [i + 1, v]));

describe('pairedRatio', () => {
  it('divides round by round and skips rounds one side lacks', () => {
    const subject = new Map([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const reference = new Map([
      [1, 5],
      [3, 10],
    ]);
    const r = pairedRatio('x', 'x', subject, reference, new Set([3]));
    expect(r.roundRatios).toEqual([
      { round: 1, ratio: 2 },
      { round: 3, ratio: 3 },
    ]);
    expect(r.median).toBe(2.5);
    expect(r.noisyRounds).toBe(1);
  });

  it('pairs by round, not by rank: a slow round slows both sides and cancels', () => {
    // The machine halves its speed in round 2: absolute figures spread 2x, the ratio not at all.
    const r = pairedRatio(
      'x',
      'x',
      rounds([900, 450, 900, 900, 900, 900]),
      rounds([1000, 500, 1000, 1000, 1000, 1000]),
    );
    expect(r.interval).toMatchObject({ low: 0.9, high: 0.9 });
    expect(relativeWidthPct(r)).toBe(0);
  });

  it('has no median or interval when nothing pairs', () => {
    const r = pairedRatio('x', 'x', rounds([1]), new Map());
    expect(r.median).toBeNull();
    expect(r.interval).toBeNull();
  });
});

describe('verdictOf', () => {
  const ratio = (values: number[]) =>
    pairedRatio('x', 'x', rounds(values), rounds(values.map(() => 1)));

  it('met when the whole interval is on the right side', () => {
    expect(verdictOf(ratio([0.95, 1, 1.05, 0.98, 1.02, 0.99]), '>=', 0.9).verdict).toBe('met');
    expect(verdictOf(ratio([0.5, 0.6, 0.55, 0.52, 0.58, 0.57]), '<=', 0.8).verdict).toBe('met');
  });

  it('missed when the whole interval is on the wrong side', () => {
    expect(verdictOf(ratio([0.7, 0.8, 0.75, 0.72, 0.78, 0.85]), '>=', 0.9).verdict).toBe('missed');
    expect(verdictOf(ratio([1.2, 1.3, 1.25, 1.22, 1.28, 1.27]), '<=', 1.15).verdict).toBe('missed');
  });

  it('inconclusive when it straddles the target', () => {
    const v = verdictOf(ratio([0.85, 0.95, 0.9, 0.88, 0.93, 0.91]), '>=', 0.9);
    expect(v).toEqual({
      verdict: 'inconclusive',
      verdictReason: 'the interval straddles the target',
    });
  });

  it('inconclusive with too few rounds for a 95 % interval, however clear they look', () => {
    const v = verdictOf(ratio([2, 2, 2]), '>=', 0.9);
    expect(v.verdict).toBe('inconclusive');
    expect(v.verdictReason).toMatch(/3 round\(s\) cannot give a 95 % interval/);
  });

  it('a target on the interval edge counts as met (the comparison is inclusive)', () => {
    expect(verdictOf(ratio([0.9, 1, 1, 1, 1, 1]), '>=', 0.9).verdict).toBe('met');
  });

  it('not measured without a ratio', () => {
    expect(verdictOf(pairedRatio('x', 'x', new Map(), new Map()), '>=', 1).verdict).toBe(
      'not measured',
    );
  });
});

describe('evaluateGoals on a fixture run', () => {
  const goals = new Map(evaluateGoals(fixtureResult()).map((goal) => [goal.id, goal]));

  it('gives every goal its verdict from the per-round ratios', () => {
    expect(goals.get('image-go-native-docker')).toMatchObject({
      median: 0.04,
      verdict: 'met',
      pairing: 'single',
    });
    expect(goals.get('cold-start-go-native-docker')?.verdict).toBe('met');
    expect(goals.get('cold-start-floor-go-native-docker')?.verdict).toBe('missed');
    expect(goals.get('throughput-go-native-docker')?.verdict).toBe('met');
    expect(goals.get('throughput-floor-go-native-c1-docker')?.verdict).toBe('inconclusive');
    expect(goals.get('throughput-floor-go-native-c32-docker')?.verdict).toBe('missed');
    expect(goals.get('throughput-go-actionloop-docker')?.verdict).toBe('not measured');
    expect(goals.get('cold-start-floor-go-blackbox-docker')?.verdict).toBe('not measured');
  });

  it('leaves a round with errors under load out of the ratios', () => {
    const result = fixtureResult();
    const native = result.variants.find((v) => v.name === 'go-native');
    const bad = native?.throughput?.samples.find((l) => l.connections === 32 && l.round === 2);
    if (bad === undefined) throw new Error('fixture lacks round 2 at 32');
    bad.errors = 3;
    const goal = evaluateGoals(result).find(
      (g) => g.id === 'throughput-floor-go-native-c32-docker',
    );
    expect(goal?.roundRatios.map((r) => r.round)).toEqual([1, 3, 4, 5, 6]);
  });
});

describe('exitCodeFor', () => {
  it('1 for a failed measurement, 3 for a missed goal, 4 for inconclusive only, 0 otherwise', () => {
    const result = fixtureResult();
    result.goals = evaluateGoals(result);
    expect(exitCodeFor(result)).toBe(3);
    result.failed = true;
    expect(exitCodeFor(result)).toBe(1);
    result.failed = false;
    result.goals = result.goals.map((g) => (g.verdict === 'missed' ? { ...g, verdict: 'met' } : g));
    expect(exitCodeFor(result)).toBe(4);
    result.goals = result.goals.map((g) => ({
      ...g,
      verdict: g.verdict === 'inconclusive' ? 'met' : g.verdict,
    }));
    expect(exitCodeFor(result)).toBe(0);
  });
});

describe('the process pass of --runtime both', () => {
  const goals = evaluateGoals(withProcessPass(fixtureResult()));

  it('keys every goal by its runtime and lists the pass goals both of whose sides it measured', () => {
    expect(goals.filter((g) => !g.id.endsWith('-docker') && !g.id.endsWith('-process'))).toEqual(
      [],
    );
    expect(goals.filter((g) => g.id.endsWith('-process')).map((g) => g.id)).toEqual([
      'throughput-go-native-process',
      'throughput-floor-go-native-c1-process',
      'throughput-floor-go-native-c32-process',
      'cpu-go-native-c1-process',
      'cpu-go-native-c32-process',
      'throughput-go-blackbox-vs-python-spawn-c32-process',
    ]);
    // floor-python-spawn has no image: no such goal in containers.
    expect(goals.some((g) => g.id === 'throughput-go-blackbox-vs-python-spawn-c32-docker')).toBe(
      false,
    );
  });

  it("measures the peers' goals per round: CPU per request and the Python spawn floor", () => {
    const byId = new Map(goals.map((g) => [g.id, g]));
    expect(byId.get('cpu-go-native-c32-process')).toMatchObject({
      median: 1.5,
      comparison: '<=',
      target: 1.1,
      verdict: 'missed',
    });
    expect(byId.get('throughput-go-blackbox-vs-python-spawn-c32-process')).toMatchObject({
      median: 0.5,
      target: 1.5,
      verdict: 'missed',
    });
    expect(byId.get('cpu-go-native-c32-process')?.description).toMatch(/\(as processes\)$/);
  });
});
