import { resolve } from 'node:path';
import {
  integerIn,
  type OptionSpec,
  oneOf,
  optionsTable,
  parseCommandLine,
  UsageError,
  usage,
} from '@owkit/host/command-line';
import { BENCH_DIR } from './paths.js';
import { isVariantName, VARIANT_NAMES, type VariantName } from './variants.js';

export type RuntimeChoice = 'auto' | 'docker' | 'process' | 'both';

/** A switch's value from the environment (`OWKIT_BENCH_QUICK=1`); on the command line it is bare. */
const flag = (raw: string): boolean => {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`expected true or false, got ${JSON.stringify(raw)}`);
};

const variantList = (raw: string): VariantName[] => {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!isVariantName(name)) {
      throw new Error(
        `unknown variant ${JSON.stringify(name)}; known: ${VARIANT_NAMES.join(', ')}`,
      );
    }
  }
  if (names.length === 0) throw new Error('expected at least one variant');
  return names as VariantName[];
};

const connectionList = (raw: string): number[] => {
  const counts = raw.split(',').map((part) => integerIn(1, 1024)(part.trim()));
  if (counts.length === 0) throw new Error('expected at least one connection count');
  return [...new Set(counts)];
};

/** `0` means "the profile's default" (full or --quick) for the numeric options below. */
const byProfile = integerIn(0, 10_000);

/** Seconds, fractions allowed (`0.5`); 0 means the profile's default. */
const seconds = (raw: string): number => {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 3_600) {
    throw new Error(`expected seconds from 0 to 3600, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/** Bare `--until-stable` is 10 %; `--until-stable=5` is 5 %; `false` or `0` switches it off. */
export const DEFAULT_STABLE_PCT = 10;
const stablePercent = (raw: string): number | null => {
  if (raw === 'true') return DEFAULT_STABLE_PCT;
  if (raw === 'false' || raw === '0') return null;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 100) {
    throw new Error(`expected a percentage above 0 and up to 100, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/** Every option of the bench, declared once; the README's table lists the same. */
export const benchOptionSpecs = {
  quick: {
    flag: 'quick',
    shownDefault: 'off',
    env: 'OWKIT_BENCH_QUICK',
    default: false,
    description:
      'The short profile for CI (fewer and shorter rounds, no no-sentinels floors, no web examples, no process pass).',
    parse: flag,
  },
  variants: {
    flag: 'variants',
    shownDefault: 'all (`--quick`: all but the no-sentinels floors and the web examples)',
    env: 'OWKIT_BENCH_VARIANTS',
    default: [] as VariantName[],
    description: 'Comma-separated variants and floors to measure.',
    parse: variantList,
  },
  runtime: {
    flag: 'runtime',
    shownDefault: 'auto',
    env: 'OWKIT_BENCH_RUNTIME',
    default: '' as RuntimeChoice | '',
    description:
      "`docker`, `process`, `auto` (docker when an engine answers, else process), or `both`: everything in containers, then the goals' variants again as processes (the process pass; process only when no engine answers).",
    parse: oneOf<RuntimeChoice>(['auto', 'docker', 'process', 'both']),
  },
  repeats: {
    flag: 'repeats',
    shownDefault: '20 (10 with `--quick`)',
    env: 'OWKIT_BENCH_REPEATS',
    default: 0,
    description:
      'Rounds of cached cold starts (every variant once per round); 6 or more give a 95 % interval.',
    parse: byProfile,
  },
  pullRepeats: {
    flag: 'pull-repeats',
    shownDefault: '5 (2 with `--quick`)',
    env: 'OWKIT_BENCH_PULL_REPEATS',
    default: -1,
    description:
      'Pulled cold starts per variant and pull kind; 0 skips the pulls (the compressed sizes are still measured).',
    parse: integerIn(0, 1_000),
  },
  bursts: {
    flag: 'bursts',
    shownDefault: '3 (1 with `--quick`)',
    env: 'OWKIT_BENCH_BURSTS',
    default: -1,
    description: 'Bursts of simultaneous cold starts per variant; 0 skips them.',
    parse: integerIn(0, 100),
  },
  burstSize: {
    flag: 'burst-size',
    shownDefault: '8',
    env: 'OWKIT_BENCH_BURST_SIZE',
    default: 8,
    description: 'Containers started at once in a burst.',
    parse: integerIn(1, 64),
  },
  rounds: {
    flag: 'rounds',
    shownDefault: '10 (6 with `--quick`)',
    env: 'OWKIT_BENCH_ROUNDS',
    default: 0,
    description:
      'Interleaved rounds of throughput (every variant once per round); goals use the per-round ratios. 6 or more give a 95 % interval.',
    parse: integerIn(0, 1_000),
  },
  duration: {
    flag: 'duration',
    shownDefault: '2 (1 with `--quick`)',
    env: 'OWKIT_BENCH_DURATION',
    default: 0,
    description: 'Seconds of measured load per connection count and round.',
    parse: seconds,
  },
  warmup: {
    flag: 'warmup',
    shownDefault: '1 (0.5 with `--quick`)',
    env: 'OWKIT_BENCH_WARMUP',
    default: 0,
    description: 'Seconds of warm-up load (bodies checked) before each measured run.',
    parse: seconds,
  },
  connections: {
    flag: 'connections',
    shownDefault: '1,32',
    env: 'OWKIT_BENCH_CONNECTIONS',
    default: [1, 32],
    description: 'Comma-separated connection counts for the throughput runs.',
    parse: connectionList,
  },
  curves: {
    flag: 'curves',
    shownDefault: 'on (off with `--quick`)',
    env: 'OWKIT_BENCH_CURVES',
    default: null as boolean | null,
    switch: true,
    description:
      'Throughput and p50/p99 latency against connections (1–64) and payload size (100 B–1 MB), one pass per point, as charts.',
    parse: flag,
  },
  untilStable: {
    flag: 'until-stable',
    shownDefault: 'off',
    env: 'OWKIT_BENCH_UNTIL_STABLE',
    default: null as number | null,
    description: `\`--until-stable[=PCT]\`: add rounds until every goal's 95 % interval is narrower than PCT % of its median (${DEFAULT_STABLE_PCT} when bare), or the cap.`,
    parse: stablePercent,
  },
  stableCap: {
    flag: 'stable-cap',
    shownDefault: '900',
    env: 'OWKIT_BENCH_STABLE_CAP',
    default: 900,
    description: 'Seconds after which --until-stable starts no new round.',
    parse: integerIn(1, 86_400),
  },
  out: {
    flag: 'out',
    shownDefault: '`bench/results/runs`',
    env: 'OWKIT_BENCH_OUT',
    default: resolve(BENCH_DIR, 'results/runs'),
    description:
      'Where each run writes its folder `<UTC time>/` (result.json, report.md, charts) and the `latest` link; not in git.',
    parse: (raw: string) => resolve(raw),
  },
  publish: {
    flag: 'publish',
    shownDefault: 'off',
    env: 'OWKIT_BENCH_PUBLISH',
    default: false,
    description:
      'Also copy the run to the committed report the README links to (`bench/results/latest.md`, `latest.json`, SVGs).',
    parse: flag,
  },
  help: {
    flag: 'help',
    shownDefault: 'off',
    default: false,
    description: 'Print the options and exit.',
    parse: flag,
  },
} satisfies Record<string, OptionSpec<unknown>>;

export interface BenchOptions {
  quick: boolean;
  variants: VariantName[];
  runtime: RuntimeChoice;
  /** Cached cold starts per variant. */
  repeats: number;
  /** Pulled cold starts per variant and kind of pull; 0 skips the pulls. */
  pullRepeats: number;
  burstRepeats: number;
  burstSize: number;
  /** Throughput rounds; every variant is loaded once per round. */
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  curves: boolean;
  curveConnections: number[];
  curvePayloadBytes: number[];
  /** Relative interval width to reach with --until-stable, in percent; null: off. */
  untilStablePercent: number | null;
  untilStableCapSeconds: number;
  outDir: string;
  publish: boolean;
  help: boolean;
}

/** The curves' points: up to the platform's 1 MB payload limit. */
export const CURVE_CONNECTIONS = [1, 2, 4, 8, 16, 32, 64];
export const CURVE_PAYLOAD_BYTES = [100, 10_000, 100_000, 1_000_000];

/**
 * Many short rounds rather than a few long ones: the per-round ratios need at least 6 rounds
 * for a 95 % interval, and a disturbance then spoils one short round instead of a long one.
 */
export const PROFILES = {
  full: {
    repeats: 20,
    pullRepeats: 5,
    bursts: 3,
    rounds: 10,
    durationSeconds: 2,
    warmupSeconds: 1,
    variants: [...VARIANT_NAMES] as VariantName[],
    runtime: 'auto' as RuntimeChoice,
  },
  quick: {
    repeats: 10,
    pullRepeats: 2,
    bursts: 1,
    rounds: 6,
    durationSeconds: 1,
    warmupSeconds: 0.5,
    variants: VARIANT_NAMES.filter(
      (name) => !name.endsWith('-no-sentinels') && !name.startsWith('web-'),
    ) as VariantName[],
    runtime: 'auto' as RuntimeChoice,
  },
};

/**
 * parseArgs has no flag with an optional value: a flag either takes one or not. `--until-stable`
 * takes one optionally (bare: 10 %; `--until-stable=5`; `--until-stable 5`), so before parsing a
 * bare one becomes `--until-stable=true`, or `--until-stable=<n>` when a number follows.
 */
function spellUntilStable(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== '--until-stable') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && next.trim() !== '' && Number.isFinite(Number(next))) {
      out.push(`--until-stable=${next}`);
      i++;
    } else {
      out.push('--until-stable=true');
    }
  }
  return out;
}

/** Every problem is a UsageError: one line naming the flag or the variable, exit code 2. */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions {
  // pnpm and turbo forward a literal `--` (`pnpm bench -- --quick`); it carries no option.
  const { values, positionals } = parseCommandLine(
    benchOptionSpecs,
    spellUntilStable(argv.filter((arg) => arg !== '--')),
    env,
  );
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  }
  const profile = values.quick ? PROFILES.quick : PROFILES.full;
  return {
    quick: values.quick,
    variants: values.variants.length === 0 ? profile.variants : values.variants,
    runtime: values.runtime === '' ? profile.runtime : values.runtime,
    repeats: values.repeats === 0 ? profile.repeats : values.repeats,
    pullRepeats: values.pullRepeats === -1 ? profile.pullRepeats : values.pullRepeats,
    burstRepeats: values.bursts === -1 ? profile.bursts : values.bursts,
    burstSize: values.burstSize,
    rounds: values.rounds === 0 ? profile.rounds : values.rounds,
    durationSeconds: values.duration === 0 ? profile.durationSeconds : values.duration,
    warmupSeconds: values.warmup === 0 ? profile.warmupSeconds : values.warmup,
    connections: values.connections,
    curves: values.curves ?? !values.quick,
    curveConnections: CURVE_CONNECTIONS,
    curvePayloadBytes: CURVE_PAYLOAD_BYTES,
    untilStablePercent: values.untilStable,
    untilStableCapSeconds: values.stableCap,
    outDir: values.out,
    publish: values.publish,
    help: values.help,
  };
}

export { UsageError };

/** The README's Markdown table, from the same specs as the parser and --help. */
export function optionsHelp(): string {
  return optionsTable(benchOptionSpecs);
}

const SYNOPSIS = `pnpm bench [options]               measure, write bench/results/runs/<time>/
       pnpm bench compare A.json B.json   compare two runs`;

/** `--help` for a terminal. */
export function optionsHelpText(): string {
  return usage(SYNOPSIS, benchOptionSpecs);
}
