import { resolve } from 'node:path';
import { integerIn, OptionsError, oneOf, parseOptionValues } from '@owkit/runtime/core';
import { BENCH_DIR } from './paths.js';
import { isVariantName, VARIANT_NAMES, type VariantName } from './variants.js';

export type RuntimeChoice = 'auto' | 'docker' | 'process';

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

/** Every option of the bench, declared once; the README's table lists the same. */
export const benchOptionSpecs = {
  quick: {
    flag: 'quick',
    shownDefault: 'off',
    env: 'OWKIT_BENCH_QUICK',
    default: false,
    description: 'The short profile (fewer runs, 2 s of load): about 3 minutes.',
    parse: flag,
  },
  variants: {
    flag: 'variants',
    shownDefault: 'all',
    env: 'OWKIT_BENCH_VARIANTS',
    default: [...VARIANT_NAMES] as VariantName[],
    description: 'Comma-separated variants and floors to measure.',
    parse: variantList,
  },
  runtime: {
    flag: 'runtime',
    shownDefault: 'auto',
    env: 'OWKIT_BENCH_RUNTIME',
    default: 'auto' as RuntimeChoice,
    description: '`docker`, `process`, or `auto` (docker when an engine answers).',
    parse: oneOf<RuntimeChoice>('auto', 'docker', 'process'),
  },
  repeats: {
    flag: 'repeats',
    shownDefault: '20 (5 with `--quick`)',
    env: 'OWKIT_BENCH_REPEATS',
    default: 0,
    description: 'Cached cold starts per variant.',
    parse: byProfile,
  },
  pullRepeats: {
    flag: 'pull-repeats',
    shownDefault: '5 (2 with `--quick`)',
    env: 'OWKIT_BENCH_PULL_REPEATS',
    default: -1,
    description: 'Pulled cold starts per variant; 0 skips the registry and the pulls.',
    parse: integerIn(0, 1_000),
  },
  rounds: {
    flag: 'rounds',
    shownDefault: '3 (1 with `--quick`)',
    env: 'OWKIT_BENCH_ROUNDS',
    default: 0,
    description:
      'Interleaved rounds of throughput runs (every variant once per round); each figure is the median over rounds.',
    parse: integerIn(0, 100),
  },
  duration: {
    flag: 'duration',
    shownDefault: '5 (2 with `--quick`)',
    env: 'OWKIT_BENCH_DURATION',
    default: 0,
    description: 'Seconds of measured load per connection count.',
    parse: byProfile,
  },
  warmup: {
    flag: 'warmup',
    shownDefault: '2 (1 with `--quick`)',
    env: 'OWKIT_BENCH_WARMUP',
    default: 0,
    description: 'Seconds of warm-up load (bodies checked) before each measured run.',
    parse: byProfile,
  },
  connections: {
    flag: 'connections',
    shownDefault: '1,32',
    env: 'OWKIT_BENCH_CONNECTIONS',
    default: [1, 32],
    description: 'Comma-separated connection counts for the throughput runs.',
    parse: connectionList,
  },
  out: {
    flag: 'out',
    shownDefault: '`bench/results`',
    env: 'OWKIT_BENCH_OUT',
    default: resolve(BENCH_DIR, 'results'),
    description: 'Directory for the JSON result, `latest.md` and the SVG charts.',
    parse: (raw: string) => resolve(raw),
  },
  help: {
    flag: 'help',
    shownDefault: 'off',
    default: false,
    description: 'Print the options and exit.',
    parse: flag,
  },
};

export interface BenchOptions {
  quick: boolean;
  variants: VariantName[];
  runtime: RuntimeChoice;
  /** Cached cold starts per variant. */
  repeats: number;
  /** Pulled cold starts per variant; 0 skips the registry and the second engine. */
  pullRepeats: number;
  /** Throughput rounds; every variant is loaded once per round. */
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number[];
  outDir: string;
  help: boolean;
}

const PROFILES = {
  full: { repeats: 20, pullRepeats: 5, rounds: 3, durationSeconds: 5, warmupSeconds: 2 },
  quick: { repeats: 5, pullRepeats: 2, rounds: 1, durationSeconds: 2, warmupSeconds: 1 },
};

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions {
  // pnpm and turbo forward a literal `--` (`pnpm bench -- --quick`); it carries no option.
  const values = parseOptionValues(
    benchOptionSpecs,
    argv.filter((arg) => arg !== '--'),
    env,
  );
  const profile = values.quick ? PROFILES.quick : PROFILES.full;
  return {
    quick: values.quick,
    variants: values.variants,
    runtime: values.runtime,
    repeats: values.repeats === 0 ? profile.repeats : values.repeats,
    pullRepeats: values.pullRepeats === -1 ? profile.pullRepeats : values.pullRepeats,
    rounds: values.rounds === 0 ? profile.rounds : values.rounds,
    durationSeconds: values.duration === 0 ? profile.durationSeconds : values.duration,
    warmupSeconds: values.warmup === 0 ? profile.warmupSeconds : values.warmup,
    connections: values.connections,
    outDir: values.out,
    help: values.help,
  };
}

export { OptionsError };

/** The Markdown table printed by `--help` and kept in the README. */
export function optionsHelp(): string {
  const rows = Object.values(benchOptionSpecs).map((spec) => {
    const env = 'env' in spec && spec.env !== undefined ? `\`${spec.env}\`` : '';
    return `| \`--${spec.flag}\` | ${env} | ${spec.shownDefault} | ${spec.description} |`;
  });
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
