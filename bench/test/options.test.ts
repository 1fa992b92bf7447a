import { optionRows } from '@owkit/host/command-line';
import { describe, expect, it } from 'vitest';
import { optionsHelp, optionsHelpText, parseOptions, UsageError } from '../src/options.js';
import { VARIANT_NAMES } from '../src/variants.js';

describe('parseOptions', () => {
  it('gives the full profile and every variant by default', () => {
    const options = parseOptions([], {});
    expect(options).toMatchObject({
      quick: false,
      variants: [...VARIANT_NAMES],
      runtime: 'auto',
      repeats: 20,
      pullRepeats: 5,
      burstRepeats: 3,
      burstSize: 8,
      rounds: 10,
      durationSeconds: 2,
      warmupSeconds: 1,
      connections: [1, 32],
      untilStablePercent: null,
      publish: false,
    });
    // Runs go to an ignored folder; only --publish touches the committed report.
    expect(options.outDir).toMatch(/bench\/results\/runs$/);
  });

  it('--quick shortens every count that was not given explicitly', () => {
    expect(parseOptions(['--quick'], {})).toMatchObject({
      quick: true,
      repeats: 10,
      pullRepeats: 2,
      burstRepeats: 1,
      rounds: 6,
      durationSeconds: 1,
      warmupSeconds: 0.5,
    });
    expect(parseOptions(['--quick'], {}).variants).not.toContain('floor-go-no-sentinels');
    expect(parseOptions(['--quick'], {}).variants).toContain('floor-node-default');
    expect(parseOptions(['--quick'], {}).variants).not.toContain('web-ts-native');
    expect(parseOptions(['--quick'], {}).variants).toContain('floor-go-pipe');
    // The process pass is the full profile's; --quick measures in one runtime.
    expect(parseOptions(['--quick'], {}).runtime).toBe('auto');
    expect(parseOptions(['--quick', '--runtime', 'both'], {}).runtime).toBe('both');
    expect(parseOptions(['--rounds', '5'], {}).rounds).toBe(5);
    expect(parseOptions(['--quick', '--repeats', '7'], {}).repeats).toBe(7);
  });

  it('--until-stable takes an optional percentage; --publish is a switch', () => {
    expect(parseOptions(['--until-stable'], {}).untilStablePercent).toBe(10);
    expect(parseOptions(['--until-stable=5'], {}).untilStablePercent).toBe(5);
    expect(parseOptions(['--until-stable', '--quick'], {})).toMatchObject({
      untilStablePercent: 10,
      quick: true,
    });
    expect(parseOptions(['--until-stable=0'], {}).untilStablePercent).toBeNull();
    expect(() => parseOptions(['--until-stable=-3'], {})).toThrow(/--until-stable/);
    expect(parseOptions(['--publish'], {}).publish).toBe(true);
    expect(parseOptions(['--stable-cap', '60'], {}).untilStableCapSeconds).toBe(60);
  });

  it('--until-stable also takes its percentage after a space, and --curves is a switch', () => {
    expect(parseOptions(['--until-stable', '5', '--quick'], {})).toMatchObject({
      untilStablePercent: 5,
      quick: true,
    });
    expect(parseOptions([], { OWKIT_BENCH_UNTIL_STABLE: 'true' }).untilStablePercent).toBe(10);
    expect(parseOptions(['--curves', '--quick'], {}).curves).toBe(true);
    expect(parseOptions(['--quick'], {}).curves).toBe(false);
    expect(parseOptions([], {}).curves).toBe(true);
    expect(parseOptions(['--quick'], { OWKIT_BENCH_CURVES: '1' }).curves).toBe(true);
  });

  it('ignores the bare -- that pnpm and turbo forward', () => {
    expect(parseOptions(['--', '--', '--quick'], {}).quick).toBe(true);
  });

  it('reads the environment, and flags win over it', () => {
    const env = { OWKIT_BENCH_QUICK: 'true', OWKIT_BENCH_RUNTIME: 'process' };
    expect(parseOptions([], env)).toMatchObject({ quick: true, runtime: 'process' });
    expect(parseOptions(['--runtime=docker'], env).runtime).toBe('docker');
  });

  it('parses lists of variants and connection counts', () => {
    const options = parseOptions(
      ['--variants', 'go-native, floor-go', '--connections', '1,8,8'],
      {},
    );
    expect(options.variants).toEqual(['go-native', 'floor-go']);
    expect(options.connections).toEqual([1, 8]);
    expect(parseOptions(['--pull-repeats', '0'], {}).pullRepeats).toBe(0);
  });

  it('rejects unknown variants, runtimes, flags and bad numbers', () => {
    expect(() => parseOptions(['--variants', 'go-fast'], {})).toThrow(/unknown variant "go-fast"/);
    expect(() => parseOptions(['--runtime', 'podman'], {})).toThrow(UsageError);
    expect(() => parseOptions(['--fast'], {})).toThrow(/unknown option --fast/);
    expect(() => parseOptions(['--duration', '-3'], {})).toThrow(/--duration/);
    expect(() => parseOptions(['--connections', '0'], {})).toThrow(UsageError);
    expect(() => parseOptions(['--quick', 'go-native'], {})).toThrow(
      'unexpected argument "go-native" (see --help)',
    );
    expect(() => parseOptions(['--rounds'], {})).toThrow('--rounds needs a value (see --help)');
  });

  it('documents every flag in the help table', () => {
    const help = optionsHelp();
    for (const flag of [
      '--quick',
      '--variants',
      '--runtime',
      '--repeats',
      '--duration',
      '--connections',
      '--out',
    ]) {
      expect(help).toContain(`\`${flag}\``);
    }
  });
});

describe('--help', () => {
  it('lists every flag with its shown default and variable, for a terminal', () => {
    // Descriptions wrap at 80 columns: compared with the line breaks as spaces.
    const help = optionsHelpText().replace(/\s+/g, ' ');
    expect(help).toMatch(/^usage: pnpm bench \[options\]/);
    expect(help).toContain("Default 20 (10 with '--quick').");
    expect(help).toContain('Environment: OWKIT_BENCH_ROUNDS.');
    expect(help).not.toContain('`');
  });
});

describe('README', () => {
  it('holds the options table as the code declares it', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const readmeRows = optionRows(readme);
    const specRows = optionRows(optionsHelp());
    expect(specRows.length).toBeGreaterThan(0);
    for (const row of specRows) expect(readmeRows).toContainEqual(row);
  });
});
