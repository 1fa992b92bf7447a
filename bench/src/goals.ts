/**
 * Goals and paired comparisons, computed from a result alone. Every ratio is taken round by
 * round — the two variants of a pair measured minutes apart would carry whatever the machine
 * did in between — and summarized by the median of the per-round ratios with a 95 % interval.
 */
import { compressedBytes, peakRssBytes, variantIn } from './figures.js';
import type { BenchResult, Goal, PairedRatio, Verdict } from './result.js';
import { medianInterval } from './stats.js';
import { levelProblems } from './throughput.js';
import { BASELINE, type VariantName } from './variants.js';

/** The coverage a verdict needs; below it (too few rounds) a goal is inconclusive. */
export const WANTED_COVERAGE = 0.95;

type PerRound = Map<number, number>;

/** Cached cold start totalMs by round. */
export function coldStartByRound(result: BenchResult, name: VariantName): PerRound {
  const samples = variantIn(result, name)?.coldStartCached?.samples ?? [];
  return new Map(samples.map((s) => [s.round, s.totalMs]));
}

/** req/s (calls/s for the spawn floor, which stands at 1 connection) by round. */
export function throughputByRound(
  result: BenchResult,
  name: VariantName,
  connections: number,
): PerRound {
  const variant = variantIn(result, name);
  if (variant === undefined) return new Map();
  if (variant.spawnFloor !== null) {
    return connections === 1
      ? new Map(variant.spawnFloor.rounds.map((r) => [r.round, r.callsPerSec]))
      : new Map();
  }
  // A round with an error, a timeout or a wrong body under load is left out of every ratio.
  const levels = (variant.throughput?.samples ?? []).filter(
    (l) => l.connections === connections && levelProblems(l).length === 0,
  );
  return new Map(levels.map((l) => [l.round, l.requestsPerSec]));
}

/** Server CPU µs per request by round (the process tree's, or the container cgroup's). */
export function cpuPerRequestByRound(
  result: BenchResult,
  name: VariantName,
  connections: number,
): PerRound {
  const levels = (variantIn(result, name)?.throughput?.samples ?? []).filter(
    (l) =>
      l.connections === connections &&
      levelProblems(l).length === 0 &&
      l.serverCpuMicrosPerRequest !== null,
  );
  return new Map(levels.map((l) => [l.round, l.serverCpuMicrosPerRequest as number]));
}

/** The process pass of a `--runtime both` run as a result of its own, for the readers of one. */
export function processPassView(result: BenchResult): BenchResult | null {
  const pass = result.processPass;
  if (pass === null || pass === undefined) return null;
  return {
    ...result,
    runtime: 'process',
    runtimeReason: pass.runtimeReason,
    options: {
      ...result.options,
      variants: pass.variants.map((v) => v.name),
      coldStartRepeats: pass.coldStartRepeats,
      loadRounds: pass.loadRounds,
      pullRepeats: 0,
      burstRepeats: 0,
      curveConnections: [],
      curvePayloadBytes: [],
    },
    phases: pass.phases,
    noise: pass.noise,
    variants: pass.variants,
    goals: [],
    comparisons: [],
    processPass: null,
  };
}

function noisyRounds(result: BenchResult, phase: 'cold start' | 'throughput'): Set<number> {
  return new Set(result.noise.filter((n) => n.phase === phase && n.noisy).map((n) => n.round));
}

/** The ratio subject / reference for every round both were measured in. */
export function pairedRatio(
  id: string,
  description: string,
  subject: PerRound,
  reference: PerRound,
  noisy: Set<number> = new Set(),
): PairedRatio {
  const roundRatios = [...subject.entries()]
    .filter(([round, value]) => {
      const other = reference.get(round);
      return other !== undefined && other > 0 && Number.isFinite(value);
    })
    .map(([round, value]) => ({ round, ratio: value / (reference.get(round) as number) }))
    .sort((a, b) => a.round - b.round);
  if (roundRatios.length === 0) {
    return {
      id,
      description,
      pairing: 'per round',
      roundRatios,
      median: null,
      interval: null,
      noisyRounds: 0,
    };
  }
  const interval = medianInterval(
    roundRatios.map((r) => r.ratio),
    WANTED_COVERAGE,
  );
  const values = roundRatios.map((r) => r.ratio).sort((a, b) => a - b);
  const middle = values.length >> 1;
  const median =
    values.length % 2 === 1
      ? (values[middle] as number)
      : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
  return {
    id,
    description,
    pairing: 'per round',
    roundRatios,
    median,
    interval,
    noisyRounds: roundRatios.filter((r) => noisy.has(r.round)).length,
  };
}

/** One exact figure (a size): its interval is the figure itself. */
function single(id: string, description: string, value: number | null): PairedRatio {
  return {
    id,
    description,
    pairing: 'single',
    roundRatios: value === null ? [] : [{ round: 1, ratio: value }],
    median: value,
    interval:
      value === null ? null : { low: value, high: value, coverage: 1, lowRank: 1, highRank: 1 },
    noisyRounds: 0,
  };
}

export function verdictOf(
  ratio: PairedRatio,
  comparison: Goal['comparison'],
  target: number,
): { verdict: Verdict; verdictReason: string } {
  const { interval } = ratio;
  if (interval === null || ratio.median === null) {
    return { verdict: 'not measured', verdictReason: 'one side was not measured or failed' };
  }
  const good = (x: number) => (comparison === '<=' ? x <= target : x >= target);
  const [near, far] =
    comparison === '<=' ? [interval.low, interval.high] : [interval.high, interval.low];
  if (interval.coverage < WANTED_COVERAGE) {
    return {
      verdict: 'inconclusive',
      verdictReason: `${ratio.roundRatios.length} round(s) cannot give a 95 % interval (6 needed)`,
    };
  }
  if (good(far)) return { verdict: 'met', verdictReason: 'the whole interval meets the target' };
  if (!good(near))
    return { verdict: 'missed', verdictReason: 'the whole interval misses the target' };
  return { verdict: 'inconclusive', verdictReason: 'the interval straddles the target' };
}

function goal(ratio: PairedRatio, comparison: Goal['comparison'], target: number): Goal {
  return { ...ratio, comparison, target, ...verdictOf(ratio, comparison, target) };
}

const connectionsText = (c: number) => `${c} connection${c === 1 ? '' : 's'}`;

/**
 * The goals, each a ratio of two variants measured in the same rounds of this run, keyed by the
 * runtime they were measured in (`…-docker`, `…-process`): the main run's, then the process
 * pass's when `--runtime both` ran one.
 */
export function evaluateGoals(result: BenchResult): Goal[] {
  const goals = evaluateRuntimeGoals(result, 'main');
  const pass = processPassView(result);
  if (pass !== null) goals.push(...evaluateRuntimeGoals(pass, 'process pass'));
  return goals;
}

/** Adds one goal: its id and description get the runtime; `ratio` builds the ratio under them. */
type AddGoal = (
  id: string,
  description: string,
  ratio: (id: string, description: string) => PairedRatio,
  comparison: Goal['comparison'],
  target: number,
) => void;

/** Targets that differ by runtime: as a process, ts-native has no log pipe to hide behind. */
const TS_NATIVE_FLOOR_TARGET = { docker: 0.9, process: 0.95 } as const;

/**
 * One runtime's goals. The main run lists the first goals always (not measured when a side was
 * not selected) and the peers' goals when their floor ran; the process pass lists the goals
 * both of whose sides it measured: the throughput goals and the peers' goals.
 */
export function evaluateRuntimeGoals(result: BenchResult, which: 'main' | 'process pass'): Goal[] {
  const { runtime } = result;
  const where = runtime === 'docker' ? 'in containers' : 'as processes';
  const coldNoise = noisyRounds(result, 'cold start');
  const loadNoise = noisyRounds(result, 'throughput');
  const cold = (name: VariantName) => coldStartByRound(result, name);
  const load = (name: VariantName, c: number) => throughputByRound(result, name, c);
  const cpu = (name: VariantName, c: number) => cpuPerRequestByRound(result, name, c);
  const ran = (name: VariantName) => variantIn(result, name) !== undefined;
  const listed = (a: VariantName, b: VariantName) => (which === 'main' ? true : ran(a) && ran(b));
  const goals: Goal[] = [];
  const add: AddGoal = (id, description, ratio, comparison, target) => {
    const keyed = `${id}-${runtime}`;
    goals.push(goal(ratio(keyed, `${description} (${where})`), comparison, target));
  };
  const paired =
    (subject: PerRound, reference: PerRound, noisy: Set<number>) =>
    (id: string, description: string) =>
      pairedRatio(id, description, subject, reference, noisy);

  if (which === 'main') {
    if (runtime === 'docker') {
      const a = compressedBytes(variantIn(result, 'go-native'));
      const b = compressedBytes(variantIn(result, BASELINE));
      const sizeRatio = a === null || b === null || b === 0 ? null : a / b;
      add(
        'image-go-native',
        'go-native compressed image vs go-blackbox',
        (id, text) => single(id, text, sizeRatio),
        '<=',
        0.1,
      );
    }
    add(
      'cold-start-go-native',
      'go-native cached cold start vs go-blackbox',
      paired(cold('go-native'), cold(BASELINE), coldNoise),
      '<=',
      0.8,
    );
    for (const name of ['ts-native', 'go-native', 'go-blackbox', 'go-actionloop'] as const) {
      const floor = variantIn(result, name)?.floors.coldStart;
      if (floor === undefined) continue;
      add(
        `cold-start-floor-${name}`,
        `${name} cached cold start vs ${floor}`,
        paired(cold(name), cold(floor), coldNoise),
        '<=',
        1.15,
      );
    }
  }
  for (const name of ['go-native', 'go-actionloop'] as const) {
    if (!listed(name, BASELINE)) continue;
    add(
      `throughput-${name}`,
      `${name} req/s at 1 connection vs go-blackbox`,
      paired(load(name, 1), load(BASELINE, 1), loadNoise),
      '>=',
      10,
    );
  }
  const floorPairs = [
    ['ts-native', 'floor-node', TS_NATIVE_FLOOR_TARGET[runtime]],
    ['go-native', 'floor-go', 0.9],
  ] as const;
  for (const [name, floor, target] of floorPairs) {
    if (!listed(name, floor)) continue;
    for (const c of result.options.connections) {
      add(
        `throughput-floor-${name}-c${c}`,
        `${name} req/s at ${connectionsText(c)} vs ${floor}`,
        paired(load(name, c), load(floor, c), loadNoise),
        '>=',
        target,
      );
    }
  }
  peerGoals(result, add, paired, { cold, load, cpu, coldNoise, loadNoise });
  return goals;
}

/**
 * The goals that hold owkit to the peers it means to beat, each through a floor that stands
 * for one peer in the same run: floor-go for jthomas/ow (CPU per request), floor-python-spawn
 * for dockerskeleton (process only: no Python image), floor-go-pipe for the Go ActionLoop proxy.
 * Listed when the floor ran.
 */
function peerGoals(
  result: BenchResult,
  add: AddGoal,
  paired: (
    subject: PerRound,
    reference: PerRound,
    noisy: Set<number>,
  ) => (id: string, description: string) => PairedRatio,
  by: {
    cold: (name: VariantName) => PerRound;
    load: (name: VariantName, c: number) => PerRound;
    cpu: (name: VariantName, c: number) => PerRound;
    coldNoise: Set<number>;
    loadNoise: Set<number>;
  },
): void {
  const ran = (name: VariantName) => variantIn(result, name) !== undefined;
  const connections = result.options.connections;
  if (ran('floor-go')) {
    for (const c of connections) {
      add(
        `cpu-go-native-c${c}`,
        `go-native server CPU per request at ${connectionsText(c)} vs floor-go`,
        paired(by.cpu('go-native', c), by.cpu('floor-go', c), by.loadNoise),
        '<=',
        1.1,
      );
    }
  }
  if (ran('floor-python-spawn') && connections.includes(32)) {
    add(
      'throughput-go-blackbox-vs-python-spawn-c32',
      'go-blackbox req/s at 32 connections vs floor-python-spawn',
      paired(by.load('go-blackbox', 32), by.load('floor-python-spawn', 32), by.loadNoise),
      '>=',
      1.5,
    );
  }
  if (ran('floor-go-pipe')) {
    for (const c of connections) {
      add(
        `throughput-go-actionloop-vs-go-pipe-c${c}`,
        `go-actionloop req/s at ${connectionsText(c)} vs floor-go-pipe`,
        paired(by.load('go-actionloop', c), by.load('floor-go-pipe', c), by.loadNoise),
        '>=',
        c === 1 ? 1.0 : 0.9,
      );
    }
    add(
      'cold-start-go-actionloop-vs-go-pipe',
      'go-actionloop cached cold start vs floor-go-pipe',
      paired(by.cold('go-actionloop'), by.cold('floor-go-pipe'), by.coldNoise),
      '<=',
      1.2,
    );
    const a = peakRssBytes(variantIn(result, 'go-actionloop'));
    const b = peakRssBytes(variantIn(result, 'floor-go-pipe'));
    add(
      'memory-go-actionloop-vs-go-pipe',
      'go-actionloop peak RSS under load (server and child) vs floor-go-pipe',
      (id, text) => single(id, text, a === null || b === null || b === 0 ? null : a / b),
      '<=',
      1.5,
    );
  }
}

/**
 * Paired ratios shown without a target: what node-base's tuning and the sentinels cost, and
 * what a web action's mapping costs over the plain action on the same runtime.
 */
export function evaluateComparisons(result: BenchResult): PairedRatio[] {
  const loadNoise = noisyRounds(result, 'throughput');
  const coldNoise = noisyRounds(result, 'cold start');
  const pairs: [VariantName, VariantName, string][] = [
    ['ts-native', 'floor-node-default', 'ts-native vs the Node floor on default flags'],
    [
      'floor-node',
      'floor-node-default',
      "node-base's flags: floor-node vs the same on default flags",
    ],
    ['floor-node', 'floor-node-no-sentinels', 'the sentinel lines: floor-node with vs without'],
    ['floor-go', 'floor-go-no-sentinels', 'the sentinel lines: floor-go with vs without'],
    ...WEB_PAIRS,
  ];
  const comparisons: PairedRatio[] = [];
  for (const [subject, reference, text] of WEB_PAIRS) {
    if (variantIn(result, subject) === undefined || variantIn(result, reference) === undefined) {
      continue;
    }
    comparisons.push(
      pairedRatio(
        `${subject}-vs-${reference}-cold-start`,
        `${text}, cached cold start`,
        coldStartByRound(result, subject),
        coldStartByRound(result, reference),
        coldNoise,
      ),
    );
  }
  for (const [subject, reference, text] of pairs) {
    if (variantIn(result, subject) === undefined || variantIn(result, reference) === undefined) {
      continue;
    }
    for (const c of result.options.connections) {
      comparisons.push(
        pairedRatio(
          `${subject}-vs-${reference}-c${c}`,
          `${text}, req/s at ${connectionsText(c)}`,
          throughputByRound(result, subject, c),
          throughputByRound(result, reference, c),
          loadNoise,
        ),
      );
    }
  }
  return comparisons;
}

/** The web examples against the plain action on the same runtime: the JSON endpoint's cost. */
const WEB_PAIRS: [VariantName, VariantName, string][] = [
  ['web-ts-native', 'ts-native', 'the web action (reverse-web) vs the plain action, TypeScript'],
  ['web-go-native', 'go-native', 'the web action (reverse-web-go) vs the plain action, Go'],
];

/** Relative width of a goal's interval, in percent of its median; null when not measured. */
export function relativeWidthPct(ratio: PairedRatio): number | null {
  if (ratio.interval === null || ratio.median === null || ratio.median === 0) return null;
  return (100 * (ratio.interval.high - ratio.interval.low)) / ratio.median;
}

export interface VerdictCounts {
  met: number;
  missed: number;
  inconclusive: number;
  notMeasured: number;
}

export function countVerdicts(goals: readonly Goal[]): VerdictCounts {
  return {
    met: goals.filter((g) => g.verdict === 'met').length,
    missed: goals.filter((g) => g.verdict === 'missed').length,
    inconclusive: goals.filter((g) => g.verdict === 'inconclusive').length,
    notMeasured: goals.filter((g) => g.verdict === 'not measured').length,
  };
}
