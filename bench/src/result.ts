/**
 * The shape of `results/<timestamp>.json`. Every number carries its unit in its name; the
 * Markdown report and the charts are rendered from this alone.
 */
import type { ColdStartSample } from './coldstart.js';
import type { Environment } from './environment.js';
import type { ImageResult } from './images.js';
import type { SpawnFloorResult } from './spawn-floor.js';
import type { Summary } from './stats.js';
import type { ThroughputResult } from './throughput.js';
import type { Variant, VariantName } from './variants.js';

export const RESULT_SCHEMA = 'owkit-bench/2';

export type PhaseSummaries = Record<keyof ColdStartSample, Summary>;

export interface ColdStartSeries {
  samples: ColdStartSample[];
  failures: string[];
  /** null when no run succeeded. */
  summaryMs: PhaseSummaries | null;
}

export interface PulledSample extends ColdStartSample {
  /** `docker pull` on an engine holding no image at all. */
  pullMs: number;
  /** pullMs + totalMs: from nothing on the machine to the first answer. */
  pullAndColdStartMs: number;
}

export interface PulledSeries {
  samples: PulledSample[];
  failures: string[];
  summaryMs: (PhaseSummaries & { pullMs: Summary; pullAndColdStartMs: Summary }) | null;
  /** compressedImageBytes sent over a link of the given speed, no latency: a lower bound. */
  modelledTransferMs: { at100Mbit: number; at1Gbit: number } | null;
}

export interface VariantResult {
  name: VariantName;
  role: Variant['role'];
  description: string;
  image: string | null;
  floors: Variant['floors'];
  status: 'ok' | 'failed';
  failures: string[];
  imageFacts: ImageResult | null;
  coldStartCached: ColdStartSeries | null;
  coldStartPulled: PulledSeries | null;
  throughput: ThroughputResult | null;
  spawnFloor: (Omit<SpawnFloorResult, 'perCallMs'> & { perCallMs: number[] }) | null;
}

export interface Goal {
  id: string;
  description: string;
  /** `subject / reference` of the stated measure. */
  ratio: number | null;
  comparison: '<=' | '>=';
  target: number;
  status: 'met' | 'missed' | 'not measured';
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  runtime: 'docker' | 'process';
  /** Why this runtime: asked for, or Docker did not answer. */
  runtimeReason: string;
  options: {
    quick: boolean;
    variants: VariantName[];
    coldStartRepeats: number;
    pullRepeats: number;
    /** Throughput rounds; each req/s figure is the median round's. */
    loadRounds: number;
    loadDurationSeconds: number;
    warmupSeconds: number;
    connections: number[];
    pipelining: 1;
  };
  environment: Environment;
  variants: VariantResult[];
  goals: Goal[];
  failed: boolean;
}
