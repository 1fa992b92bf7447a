/**
 * The shape of `result.json`. Every number carries its unit in its name; the Markdown report,
 * the charts and `pnpm bench compare` are computed from this alone.
 */
import type { ColdStartSample } from './coldstart.js';
import type { Environment } from './environment.js';
import type { ImageResult } from './images.js';
import type { RoundNoise } from './noise.js';
import type { SpawnFloorResult } from './spawn-floor.js';
import type { MedianInterval, Summary } from './stats.js';
import type { LoadLevel, ThroughputResult } from './throughput.js';
import type { Variant, VariantName } from './variants.js';

export const RESULT_SCHEMA = 'owkit-bench/4';

export type PhaseSummaries = Record<Exclude<keyof ColdStartSample, 'round'>, Summary>;

export interface ColdStartSeries {
  /** Every successful run, each tagged with its round (every variant runs once per round). */
  samples: ColdStartSample[];
  failures: string[];
  /** null when no run succeeded. */
  summaryMs: PhaseSummaries | null;
}

export interface PulledSample extends ColdStartSample {
  /** `docker pull` from the local registry. */
  pullMs: number;
  /** pullMs + totalMs: from the pull to the first answer. */
  pullAndColdStartMs: number;
}

export interface PulledSeries {
  /**
   * `nothing`: a throw-away engine whose image store is empty, so every layer travels.
   * `base layers present`: the main engine after removing only this image (and so only the
   * layers no other image uses): what an invoker already running actions on the same base pulls.
   */
  startingFrom: 'nothing' | 'base layers present';
  samples: PulledSample[];
  failures: string[];
  summaryMs: (PhaseSummaries & { pullMs: Summary; pullAndColdStartMs: Summary }) | null;
  /** The compressed bytes that travel, sent over a link of the given speed, no latency: a lower bound. */
  modelledTransferMs: { at100Mbit: number; at1Gbit: number } | null;
}

/** `size` containers started at once from a cached image, each timed to its first answer. */
export interface BurstSeries {
  size: number;
  /** One entry per burst: every container's `docker run` → first answer, in milliseconds. */
  bursts: { round: number; totalMs: number[] }[];
  failures: string[];
  /** Over every container of every burst. */
  summaryMs: { p50: number; worst: number; count: number } | null;
}

export interface VariantResult {
  name: VariantName;
  role: Variant['role'];
  description: string;
  image: string | null;
  floors: Variant['floors'];
  /** `failed`: the variant itself misbehaved (a wrong answer, an error under load, no image). */
  status: 'ok' | 'failed';
  failures: string[];
  imageFacts: ImageResult | null;
  coldStartCached: ColdStartSeries | null;
  /** From nothing (a throw-away engine; needs root). */
  coldStartPulled: PulledSeries | null;
  /** With the base image's layers already on the host (the main engine; no root needed). */
  coldStartPulledOverBase: PulledSeries | null;
  burst: BurstSeries | null;
  throughput: ThroughputResult | null;
  /** Throughput and latency against connections and payload size (one pass, no goals). */
  curves: Curves | null;
  spawnFloor:
    | (Omit<SpawnFloorResult, 'perCallMs'> & {
        perCallMs: number[];
        rounds: { round: number; callsPerSec: number }[];
      })
    | null;
}

export interface Curves {
  /** The default workload at each connection count. */
  connections: LoadLevel[];
  /** One connection, each payload size (`payloadBytes`). */
  payloads: LoadLevel[];
}

/** A measurement phase and what became of it: measured, skipped for a stated reason, or failed. */
export interface PhaseOutcome {
  phase: string;
  status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or failed, and what would enable it. */
  reason: string | null;
}

/** A ratio of two variants taken round by round (each pair measured in the same round). */
export interface PairedRatio {
  id: string;
  description: string;
  /** `per round`: one ratio per round both sides measured. `single`: one exact figure (sizes). */
  pairing: 'per round' | 'single';
  roundRatios: { round: number; ratio: number }[];
  /** Median of the per-round ratios. */
  median: number | null;
  /** 95 % distribution-free interval for that median (see stats.medianInterval). */
  interval: MedianInterval | null;
  /** Rounds among `roundRatios` flagged noisy (steal or outside load past the threshold). */
  noisyRounds: number;
}

export type Verdict = 'met' | 'missed' | 'inconclusive' | 'not measured';

export interface Goal extends PairedRatio {
  comparison: '<=' | '>=';
  target: number;
  /**
   * met: the whole interval on the right side of the target; missed: the whole interval on the
   * wrong side; inconclusive: it straddles the target, or too few rounds for a 95 % interval.
   */
  verdict: Verdict;
  verdictReason: string;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  runtime: 'docker' | 'process';
  /** Why this runtime: asked for, or Docker did not answer. */
  runtimeReason: string;
  /** The user the bench ran as; pulls from nothing need root. */
  uid: number | null;
  options: {
    quick: boolean;
    variants: VariantName[];
    coldStartRepeats: number;
    pullRepeats: number;
    burstSize: number;
    burstRepeats: number;
    /** Throughput rounds actually run (more than asked with --until-stable). */
    loadRounds: number;
    loadDurationSeconds: number;
    warmupSeconds: number;
    connections: number[];
    pipelining: 1;
    /** Connection counts and payload sizes (bytes) of the curves; empty when not measured. */
    curveConnections: number[];
    curvePayloadBytes: number[];
    /** Measured seconds and warm-up seconds of each curve point. */
    curveSeconds: { duration: number; warmup: number };
    /** Relative interval width (percent of the median) --until-stable aimed for, or null. */
    untilStablePercent: number | null;
    untilStableCapSeconds: number | null;
  };
  environment: Environment;
  phases: PhaseOutcome[];
  /** Per round of each phase: what else the machine was doing. */
  noise: RoundNoise[];
  variants: VariantResult[];
  goals: Goal[];
  /** Paired ratios without a target, shown for context (e.g. what node-base's flags cost). */
  comparisons: PairedRatio[];
  /**
   * `--runtime both`: after the main run in containers, the goals' variants again as local
   * processes (cold starts and throughput rounds, no curves); null otherwise.
   */
  processPass: ProcessPass | null;
  /** A variant failed or a phase failed: the measurement itself is not to be trusted. */
  failed: boolean;
}

/** The process pass of a `--runtime both` run: the same figures as the main run's, as processes. */
export interface ProcessPass {
  runtimeReason: string;
  coldStartRepeats: number;
  loadRounds: number;
  phases: PhaseOutcome[];
  noise: RoundNoise[];
  variants: VariantResult[];
}
