import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { isAbsolute } from 'node:path';
import { engineAnswers, imageExists, pullImage } from '@owkit/host/docker';
import { CleanupList } from './cleanup.js';
import { type ColdStartSample, measureColdStart, PHASES } from './coldstart.js';
import { type Engine, MAIN_ENGINE, removeAllImages } from './docker.js';
import {
  startThrowAwayEngine,
  type ThrowAwayEngine,
  throwAwayEngineUnavailable,
} from './engine.js';
import { pinSelf, readEnvironment, readSource } from './environment.js';
import { BenchError, describeError } from './errors.js';
import {
  evaluateComparisons,
  evaluateGoals,
  evaluateRuntimeGoals,
  relativeWidthPct,
} from './goals.js';
import {
  buildFloorBinaries,
  buildFloorImages,
  inspectVariantImage,
  pushAndMeasure,
  registryName,
} from './images.js';
import { dockerLauncher, type Launcher, processLauncher } from './launcher.js';
import { type RoundNoise, watchRound } from './noise.js';
import type { BenchOptions } from './options.js';
import type { Progress } from './progress.js';
import { pullOverBase } from './pulls.js';
import { type LocalRegistry, startRegistry } from './registry.js';
import {
  type BenchResult,
  type BurstSeries,
  type ColdStartSeries,
  type PhaseOutcome,
  type ProcessPass,
  type PulledSample,
  type PulledSeries,
  RESULT_SCHEMA,
  type VariantResult,
} from './result.js';
import { measureSpawnFloor, medianSpawnFloor, type SpawnFloorResult } from './spawn-floor.js';
import { percentile, summarize } from './stats.js';
import { type LoadLevel, LoadServer, SERVER_CPUSET } from './throughput.js';
import {
  BLACKBOX_BINARY,
  PROCESS_PASS_VARIANTS,
  pairedOrder,
  VARIANTS,
  type Variant,
} from './variants.js';
import { payloadOf, runBody } from './workload.js';

const LOAD_GENERATOR_CPUS = '1';

interface Context {
  options: BenchOptions;
  cleanup: CleanupList;
  progress: Progress;
  launcher: Launcher;
  docker: Engine | null;
  selected: Variant[];
  results: Map<string, VariantResult>;
  phases: PhaseOutcome[];
  noise: RoundNoise[];
  /** Variants that cannot run at all (image or binary missing): left out of every phase. */
  unrunnable: Set<string>;
  coldRounds: number;
  loadRounds: number;
  /** `process pass`: the second half of `--runtime both` (no curves; its own goals). */
  pass: 'main' | 'process pass';
  /** The process pass, once it ran (main context only). */
  processPass: ProcessPass | null;
}

/** The variant itself misbehaved: it fails, and the run exits 1. */
function fail(ctx: Context, variant: Variant, why: string): void {
  const result = ctx.results.get(variant.name) as VariantResult;
  result.status = 'failed';
  result.failures.push(why);
  ctx.progress.line(`!! ${variant.name}: ${why}`);
}

function phase(ctx: Context, name: string, status: PhaseOutcome['status'], reason: string | null) {
  ctx.phases.push({ phase: name, status, reason });
  if (status === 'skipped') ctx.progress.line(`-- ${name}: skipped: ${reason}`);
  if (status === 'failed') ctx.progress.line(`!! ${name}: FAILED: ${reason}`);
}

async function chooseRuntime(options: BenchOptions): Promise<{
  runtime: 'docker' | 'process';
  reason: string;
  docker: Engine | null;
  /** `--runtime both` with an engine: the goals' variants again as processes afterwards. */
  processPass: boolean;
}> {
  if (options.runtime === 'process') {
    return {
      runtime: 'process',
      reason: 'asked for with --runtime process',
      docker: null,
      processPass: false,
    };
  }
  const docker = MAIN_ENGINE;
  if (await engineAnswers()) {
    return {
      runtime: 'docker',
      reason: `asked for with --runtime ${options.runtime}`,
      docker,
      processPass: options.runtime === 'both',
    };
  }
  if (options.runtime === 'docker') {
    throw new BenchError(
      '--runtime docker: no Docker engine answers (is dockerd running, and is this user in the docker group?)',
    );
  }
  return {
    runtime: 'process',
    reason:
      'NO DOCKER ENGINE ANSWERED: variants ran as local processes, without image or pull figures',
    docker: null,
    processPass: false,
  };
}

/** Everything the issues ask for, in one run; the caller writes the files. */
export async function runBench(
  options: BenchOptions,
  progress: Progress,
  cleanup: CleanupList = new CleanupList(),
): Promise<BenchResult> {
  const startedAt = new Date();
  const source = await readSource();
  const { runtime, reason, docker, processPass } = await chooseRuntime(options);
  progress.line(
    `runtime: ${runtime.toUpperCase()} (${reason})${processPass ? `, then a process pass of ${PROCESS_PASS_VARIANTS.join(', ')}` : ''}`,
  );
  if (cpus().length >= 2) {
    if (await pinSelf(LOAD_GENERATOR_CPUS)) {
      progress.line(
        `load generator held to CPU ${LOAD_GENERATOR_CPUS}, servers under load to CPU ${SERVER_CPUSET}`,
      );
    } else {
      progress.line('!! could not pin the bench to a CPU (taskset failed): throughput is noisier');
    }
  }

  const asked = VARIANTS.filter((variant) => options.variants.includes(variant.name));
  // A floor without an image (floor-python-spawn) runs only as a process.
  const selected = asked.filter((v) => docker === null || !processOnly(v));
  for (const variant of asked.filter((v) => !selected.includes(v))) {
    progress.line(
      `-- ${variant.name}: no image, runs only as a process: ${processPass ? 'measured in the process pass' : 'measured with --runtime process or both'}`,
    );
  }
  const ctx: Context = {
    options,
    cleanup,
    progress,
    launcher: docker === null ? processLauncher() : dockerLauncher(docker),
    docker,
    selected,
    results: new Map(
      selected.map((variant) => [
        variant.name,
        emptyResult(variant, docker === null ? null : (variant.image ?? null)),
      ]),
    ),
    phases: [],
    noise: [],
    unrunnable: new Set(),
    coldRounds: 0,
    loadRounds: 0,
    pass: 'main',
    processPass: null,
  };

  // Each phase catches its own errors: a phase that fails is recorded and the next one runs.
  await prepare(ctx);
  const cold = coldStartState(ctx);
  let registry: LocalRegistry | null = null;
  const dropRegistry = cleanup.add(async () => {
    await registry?.stop();
  });
  try {
    if (docker !== null) {
      await measureImages(ctx, docker);
      registry = await measureCompressedSizes(ctx, docker);
    }
    for (let round = 1; round <= options.repeats; round++) await coldStartRound(ctx, cold, round);
    cold.finish();
    if (docker !== null) {
      await measurePullsOverBase(ctx, docker, registry);
      await measurePullsFromNothing(ctx, registry);
      await measureBursts(ctx);
    }
  } finally {
    dropRegistry();
    await registry?.stop().catch(() => undefined);
  }
  await measureLoad(ctx, cold, startedAt);
  if (processPass) ctx.processPass = await runProcessPass(ctx, asked, startedAt);

  const require = createRequire(import.meta.url);
  const autocannonVersion = (require('autocannon/package.json') as { version: string }).version;
  const environment = await readEnvironment(docker, SERVER_CPUSET, autocannonVersion, source);
  const result = assemble(ctx, startedAt, runtime, reason);
  result.environment = environment;
  return result;
}

function emptyResult(variant: Variant, image: string | null): VariantResult {
  return {
    name: variant.name,
    role: variant.role,
    description: variant.description,
    image,
    floors: variant.floors,
    status: 'ok',
    failures: [],
    imageFacts: null,
    coldStartCached: null,
    coldStartPulled: null,
    coldStartPulledOverBase: null,
    burst: null,
    throughput: null,
    spawnFloor: null,
    curves: null,
  };
}

/** A variant without an image: the spawn floor has none either, but runs beside Docker. */
function processOnly(variant: Variant): boolean {
  return variant.kind === 'server' && variant.image === undefined;
}

/**
 * The goals' variants as local processes, after the run in containers: logs to files, server on
 * CPU 0, the same cold-start and throughput rounds (no pulls, bursts or curves). What the
 * runtimes cost without Docker's log pipe in the way.
 */
async function runProcessPass(
  main: Context,
  asked: Variant[],
  startedAt: Date,
): Promise<ProcessPass> {
  const reason = 'the process pass of --runtime both';
  const selected = asked.filter(
    (v) => (PROCESS_PASS_VARIANTS as readonly string[]).includes(v.name) && v.process !== undefined,
  );
  main.progress.line(
    `── process pass: ${selected.map((v) => v.name).join(', ')} as local processes (logs to files)`,
  );
  const ctx: Context = {
    ...main,
    launcher: processLauncher(),
    docker: null,
    selected,
    results: new Map(selected.map((variant) => [variant.name, emptyResult(variant, null)])),
    phases: [],
    noise: [],
    unrunnable: new Set(),
    coldRounds: 0,
    loadRounds: 0,
    pass: 'process pass',
    processPass: null,
  };
  await prepare(ctx);
  const cold = coldStartState(ctx);
  for (let round = 1; round <= ctx.options.repeats; round++) await coldStartRound(ctx, cold, round);
  cold.finish();
  await measureLoad(ctx, cold, startedAt);
  return {
    runtimeReason: reason,
    coldStartRepeats: ctx.coldRounds,
    loadRounds: ctx.loadRounds,
    phases: ctx.phases,
    noise: ctx.noise,
    variants: [...ctx.results.values()],
  };
}

/** The result as it stands (used mid-run by --until-stable, and at the end). */
function assemble(
  ctx: Context,
  startedAt: Date,
  runtime: 'docker' | 'process',
  reason: string,
): BenchResult {
  const finishedAt = new Date();
  const { options } = ctx;
  const result: BenchResult = {
    schema: RESULT_SCHEMA,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    runtime,
    runtimeReason: reason,
    uid: process.getuid?.() ?? null,
    options: {
      quick: options.quick,
      variants: options.variants,
      coldStartRepeats: ctx.coldRounds,
      pullRepeats: ctx.docker === null ? 0 : options.pullRepeats,
      burstSize: options.burstSize,
      burstRepeats: ctx.docker === null ? 0 : options.burstRepeats,
      loadRounds: ctx.loadRounds,
      loadDurationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      pipelining: 1,
      curveConnections: options.curves ? options.curveConnections : [],
      curvePayloadBytes: options.curves ? options.curvePayloadBytes : [],
      curveSeconds: CURVE_SECONDS,
      untilStablePercent: options.untilStablePercent,
      untilStableCapSeconds:
        options.untilStablePercent === null ? null : options.untilStableCapSeconds,
    },
    environment: null as unknown as BenchResult['environment'],
    phases: ctx.phases,
    noise: ctx.noise,
    variants: [...ctx.results.values()],
    goals: [],
    comparisons: [],
    processPass: ctx.processPass,
    failed: false,
  };
  result.goals = evaluateGoals(result);
  result.comparisons = evaluateComparisons(result);
  const pass = ctx.processPass;
  result.failed =
    result.variants.some((variant) => variant.status === 'failed') ||
    result.phases.some((p) => p.status === 'failed') ||
    (pass !== null &&
      (pass.variants.some((v) => v.status === 'failed') ||
        pass.phases.some((p) => p.status === 'failed')));
  return result;
}

/** The files a variant runs from outside Docker: its command line's absolute paths. */
function filesNeeded(variant: Variant, runtime: Launcher['runtime']): string[] {
  if (variant.kind === 'spawn') return [BLACKBOX_BINARY];
  if (runtime === 'docker' || variant.process === undefined) return [];
  return [variant.process.command, ...variant.process.args].filter((arg) => isAbsolute(arg));
}

async function prepare(ctx: Context): Promise<void> {
  ctx.progress.line('── preparing: Go floors, floor images, checking every variant is built');
  await buildFloorBinaries();
  if (ctx.docker !== null) await buildFloorImages(ctx.docker);
  for (const variant of ctx.selected) {
    if (ctx.docker !== null && variant.image !== undefined) {
      if (!(await imageExists(variant.image, ctx.docker))) {
        ctx.unrunnable.add(variant.name);
        fail(ctx, variant, `image ${variant.image} is missing (run pnpm images)`);
      }
    }
    for (const file of filesNeeded(variant, ctx.launcher.runtime)) {
      await access(file, constants.R_OK).catch(() => {
        ctx.unrunnable.add(variant.name);
        fail(ctx, variant, `${file} is missing (run pnpm build)`);
      });
    }
  }
}

function runnable(ctx: Context, variant: Variant): boolean {
  return !ctx.unrunnable.has(variant.name);
}

async function measureImages(ctx: Context, docker: Engine): Promise<void> {
  for (const variant of ctx.selected) {
    if (!variant.measure.image || !runnable(ctx, variant)) continue;
    try {
      const facts = await inspectVariantImage(docker, variant);
      (ctx.results.get(variant.name) as VariantResult).imageFacts = facts;
      if (facts.baseMismatch !== null) ctx.progress.line(`-- ${facts.baseMismatch}`);
    } catch (error) {
      fail(ctx, variant, describeError(error));
    }
  }
}

/** Starts the local registry and pushes every image once: the compressed sizes come from it. */
async function measureCompressedSizes(ctx: Context, docker: Engine): Promise<LocalRegistry | null> {
  const name = 'compressed image sizes (local registry)';
  let registry: LocalRegistry;
  try {
    ctx.progress.line('── local registry: starting, pushing each image once');
    registry = await startRegistry();
  } catch (error) {
    phase(
      ctx,
      name,
      'skipped',
      `the local registry did not start (${describeError(error)}); install Debian's docker-registry to measure compressed sizes and pulls`,
    );
    return null;
  }
  try {
    for (const variant of ctx.selected) {
      const facts = (ctx.results.get(variant.name) as VariantResult).imageFacts;
      if (facts === null) continue;
      await pushAndMeasure(docker, registry, facts);
      ctx.progress.line(
        `pushed ${variant.name.padEnd(24)} ${(facts.compressedImageBytes ?? 0).toLocaleString('en')} bytes compressed`,
      );
    }
    phase(ctx, name, 'measured', null);
    return registry;
  } catch (error) {
    phase(ctx, name, 'failed', describeError(error));
    await registry.stop().catch(() => undefined);
    return null;
  }
}

function summarizePhases(samples: readonly Omit<ColdStartSample, 'round'>[]) {
  if (samples.length === 0) return null;
  const pick = (key: (typeof PHASES)[number] | 'totalMs') => summarize(samples.map((s) => s[key]));
  return {
    startMs: pick('startMs'),
    listenMs: pick('listenMs'),
    initMs: pick('initMs'),
    firstRunMs: pick('firstRunMs'),
    totalMs: pick('totalMs'),
  };
}

function describeSample(sample: Omit<ColdStartSample, 'round'>): string {
  const phases = PHASES.map((p) => `${p.replace('Ms', '')} ${sample[p].toFixed(1)}`);
  return `${sample.totalMs.toFixed(1)} ms (${phases.join(', ')})`;
}

/** Rotates the order each round so no variant always runs first (or right after another). */
function rotated<T>(items: readonly T[], round: number): T[] {
  return items.map((_, i) => items[(i + round - 1) % items.length] as T);
}

interface ColdState {
  variants: Variant[];
  series: Map<string, ColdStartSeries>;
  finish(): void;
}

function coldStartState(ctx: Context): ColdState {
  const variants = ctx.selected.filter((v) => v.measure.coldStart && runnable(ctx, v));
  const series = new Map<string, ColdStartSeries>(
    variants.map((v) => [v.name, { samples: [], failures: [], summaryMs: null }]),
  );
  return {
    variants,
    series,
    finish() {
      for (const variant of variants) {
        const own = series.get(variant.name) as ColdStartSeries;
        own.summaryMs = summarizePhases(own.samples);
        (ctx.results.get(variant.name) as VariantResult).coldStartCached = own;
      }
    },
  };
}

/** One round of cached cold starts: every variant once, the order rotated. */
async function coldStartRound(ctx: Context, state: ColdState, round: number): Promise<void> {
  if (state.variants.length === 0) return;
  ctx.coldRounds = round;
  ctx.progress.startPhase(`cold start, image cached, round ${round}`, state.variants.length);
  const watch = await watchRound('cold start', round);
  for (const variant of rotated(state.variants, round)) {
    const own = state.series.get(variant.name) as ColdStartSeries;
    try {
      const sample = await measureColdStart(ctx.launcher, variant);
      own.samples.push({ round, ...sample });
      ctx.progress.step(variant.name, describeSample(sample));
    } catch (error) {
      const why = `round ${round}: ${describeError(error)}`;
      own.failures.push(why);
      fail(ctx, variant, `cached cold start failed: ${why}`);
    }
  }
  const noise = await watch.end();
  ctx.noise.push(noise);
  if (noise.noisy)
    ctx.progress.line(`   round ${round} was noisy: ${noise.noisyBecause.join(', ')}`);
}

function pulledSeries(
  startingFrom: PulledSeries['startingFrom'],
  samples: PulledSample[],
  failures: string[],
  transferBytes: number | null | undefined,
): PulledSeries {
  const phases = summarizePhases(samples);
  return {
    startingFrom,
    samples,
    failures,
    summaryMs:
      phases === null
        ? null
        : {
            ...phases,
            pullMs: summarize(samples.map((s) => s.pullMs)),
            pullAndColdStartMs: summarize(samples.map((s) => s.pullAndColdStartMs)),
          },
    modelledTransferMs:
      transferBytes === null || transferBytes === undefined
        ? null
        : {
            at100Mbit: ((transferBytes * 8) / 100e6) * 1000,
            at1Gbit: ((transferBytes * 8) / 1e9) * 1000,
          },
  };
}

function pullVariants(ctx: Context): Variant[] {
  return ctx.selected.filter(
    (v) =>
      v.measure.image &&
      v.measure.coldStart &&
      runnable(ctx, v) &&
      (ctx.results.get(v.name) as VariantResult).imageFacts?.compressedImageBytes != null,
  );
}

/** Runs `sample` for every pull variant, `pullRepeats` rounds; failures stay in the series. */
async function pullRounds(
  ctx: Context,
  title: string,
  sample: (variant: Variant) => Promise<Omit<PulledSample, 'round'>>,
): Promise<Map<string, { samples: PulledSample[]; failures: string[] }>> {
  const variants = pullVariants(ctx);
  const out = new Map(
    variants.map((v) => [v.name, { samples: [] as PulledSample[], failures: [] as string[] }]),
  );
  ctx.progress.startPhase(title, variants.length * ctx.options.pullRepeats);
  for (let round = 1; round <= ctx.options.pullRepeats; round++) {
    for (const variant of rotated(variants, round)) {
      const own = out.get(variant.name) as { samples: PulledSample[]; failures: string[] };
      try {
        const s = await sample(variant);
        own.samples.push({ round, ...s });
        ctx.progress.step(variant.name, `pull ${s.pullMs.toFixed(0)} ms + ${describeSample(s)}`);
      } catch (error) {
        own.failures.push(`round ${round}: ${describeError(error)}`);
        ctx.progress.step(variant.name, `FAILED: ${describeError(error)}`);
      }
    }
  }
  return out;
}

async function measurePullsOverBase(
  ctx: Context,
  docker: Engine,
  registry: LocalRegistry | null,
): Promise<void> {
  const name = 'pulls with the base layers present (main engine)';
  if (ctx.options.pullRepeats === 0)
    return phase(ctx, name, 'skipped', 'asked for with --pull-repeats 0');
  if (registry === null) return phase(ctx, name, 'skipped', 'no local registry (see above)');
  const measured = await pullRounds(ctx, 'cold start, pulled over base layers', (variant) =>
    pullOverBase(docker, registry, variant),
  );
  const failures: string[] = [];
  for (const [variantName, own] of measured) {
    const result = ctx.results.get(variantName) as VariantResult;
    result.coldStartPulledOverBase = pulledSeries(
      'base layers present',
      own.samples,
      own.failures,
      result.imageFacts?.compressedAddedOverBaseBytes,
    );
    failures.push(...own.failures.map((f) => `${variantName} ${f}`));
  }
  phase(ctx, name, failures.length === 0 ? 'measured' : 'failed', failures[0] ?? null);
}

async function measurePullsFromNothing(
  ctx: Context,
  registry: LocalRegistry | null,
): Promise<void> {
  const name = 'pulls from nothing (throw-away engine)';
  if (ctx.options.pullRepeats === 0)
    return phase(ctx, name, 'skipped', 'asked for with --pull-repeats 0');
  if (registry === null) return phase(ctx, name, 'skipped', 'no local registry (see above)');
  const unavailable = await throwAwayEngineUnavailable();
  if (unavailable !== null) return phase(ctx, name, 'skipped', unavailable);
  let engine: ThrowAwayEngine | undefined;
  const dropCleanup = ctx.cleanup.add(async () => {
    await engine?.stop();
  });
  try {
    ctx.progress.line(
      '── throw-away engine: starting (its image store is emptied before every pull)',
    );
    engine = await startThrowAwayEngine();
    const pullEngine = engine;
    const launcher = dockerLauncher(pullEngine.engine);
    const measured = await pullRounds(ctx, 'cold start, pulled from nothing', async (variant) => {
      const image = registryName(registry, variant.image as string);
      await removeAllImages(pullEngine.engine);
      const t0 = performance.now();
      await pullImage(image, pullEngine.engine);
      const pullMs = performance.now() - t0;
      const sample = await measureColdStart(launcher, variant, { image });
      return { ...sample, pullMs, pullAndColdStartMs: pullMs + sample.totalMs };
    });
    const failures: string[] = [];
    for (const [variantName, own] of measured) {
      const result = ctx.results.get(variantName) as VariantResult;
      result.coldStartPulled = pulledSeries(
        'nothing',
        own.samples,
        own.failures,
        result.imageFacts?.compressedImageBytes,
      );
      failures.push(...own.failures.map((f) => `${variantName} ${f}`));
    }
    phase(ctx, name, failures.length === 0 ? 'measured' : 'failed', failures[0] ?? null);
  } catch (error) {
    phase(ctx, name, 'failed', describeError(error));
  } finally {
    dropCleanup();
    await engine?.stop().catch((error: unknown) => {
      ctx.progress.line(`!! stopping the throw-away engine: ${describeError(error)}`);
    });
  }
}

/** `burstSize` containers of one variant started at once, each timed to its first answer. */
async function measureBursts(ctx: Context): Promise<void> {
  const name = `bursts of ${ctx.options.burstSize} simultaneous cold starts`;
  if (ctx.options.burstRepeats === 0)
    return phase(ctx, name, 'skipped', 'asked for with --bursts 0');
  const variants = ctx.selected.filter((v) => v.measure.coldStart && runnable(ctx, v));
  const series = new Map<string, BurstSeries>(
    variants.map((v) => [
      v.name,
      { size: ctx.options.burstSize, bursts: [], failures: [], summaryMs: null },
    ]),
  );
  ctx.progress.startPhase(name, variants.length * ctx.options.burstRepeats);
  for (let round = 1; round <= ctx.options.burstRepeats; round++) {
    for (const variant of rotated(variants, round)) {
      const own = series.get(variant.name) as BurstSeries;
      const settled = await Promise.allSettled(
        Array.from({ length: ctx.options.burstSize }, () =>
          measureColdStart(ctx.launcher, variant),
        ),
      );
      const totals = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.totalMs] : []));
      for (const s of settled) {
        if (s.status === 'rejected')
          own.failures.push(`round ${round}: ${describeError(s.reason)}`);
      }
      own.bursts.push({ round, totalMs: totals });
      ctx.progress.step(
        variant.name,
        totals.length === 0
          ? 'FAILED'
          : `p50 ${percentile(totals, 50).toFixed(0)} ms, worst ${Math.max(...totals).toFixed(0)} ms (${totals.length}/${ctx.options.burstSize} answered)`,
      );
    }
  }
  const failures: string[] = [];
  for (const variant of variants) {
    const own = series.get(variant.name) as BurstSeries;
    const all = own.bursts.flatMap((b) => b.totalMs);
    own.summaryMs =
      all.length === 0
        ? null
        : { p50: percentile(all, 50), worst: Math.max(...all), count: all.length };
    (ctx.results.get(variant.name) as VariantResult).burst = own;
    failures.push(...own.failures.map((f) => `${variant.name} ${f}`));
  }
  phase(ctx, name, failures.length === 0 ? 'measured' : 'failed', failures[0] ?? null);
}

/**
 * Throughput in rounds: every server is started once and kept up; each round loads every
 * variant once (order rotated) at each connection count, so a slow minute of the machine lands
 * on every variant of that round and the per-round ratios cancel it. --until-stable adds rounds
 * (throughput, and cold starts when those goals are wide) until every goal's interval is narrow.
 */
async function measureLoad(ctx: Context, cold: ColdState, startedAt: Date): Promise<void> {
  const variants = ctx.selected.filter((v) => v.measure.throughput && runnable(ctx, v));
  if (variants.length === 0) return;
  const { options } = ctx;
  ctx.progress.line(
    `── throughput: starting ${variants.filter((v) => v.kind === 'server').length} servers on CPU ${SERVER_CPUSET}, kept up across rounds; ${options.durationSeconds} s per connection count after ${options.warmupSeconds} s of warm-up`,
  );
  const servers = new Map<string, LoadServer>();
  const dropServers = ctx.cleanup.add(async () => {
    for (const server of servers.values()) await server.stop().catch(() => undefined);
  });
  const spawns: { round: number; floor: SpawnFloorResult }[] = [];
  try {
    for (const variant of variants) {
      if (variant.kind === 'spawn') continue;
      try {
        servers.set(variant.name, await LoadServer.start(ctx.launcher, variant));
      } catch (error) {
        fail(ctx, variant, `throughput server did not start: ${describeError(error)}`);
      }
    }
    const loaded = variants.filter((v) => v.kind === 'spawn' || servers.has(v.name));
    const stepsPerRound = loaded.reduce(
      (n, v) => n + (v.kind === 'spawn' ? 1 : options.connections.length),
      0,
    );
    const spawnFloorRound = async (variant: Variant, round: number) => {
      try {
        const floor = await measureSpawnFloor(
          BLACKBOX_BINARY,
          SERVER_CPUSET,
          options.durationSeconds,
          options.warmupSeconds,
        );
        spawns.push({ round, floor });
        ctx.progress.step(
          variant.name,
          `${floor.callsPerSec.toFixed(0)} calls/s, ${floor.perCallMsP50.toFixed(2)} ms per call (p50)`,
        );
      } catch (error) {
        ctx.progress.step(variant.name, 'FAILED');
        fail(ctx, variant, `round ${round}: ${describeError(error)}`);
      }
    };
    const loadRound = async (round: number) => {
      ctx.loadRounds = round;
      ctx.progress.startPhase(`throughput, round ${round}`, stepsPerRound);
      const cpuAtStart = serversCpu(servers);
      const watch = await watchRound('throughput', round);
      // Connection counts outside, variants inside: the levels a goal divides are seconds apart.
      for (const [index, connections] of options.connections.entries()) {
        for (const variant of pairedOrder(loaded, round)) {
          if (variant.kind === 'spawn') {
            // One spawn loop per round: it stands at 1 connection (one call at a time).
            if (index === 0) await spawnFloorRound(variant, round);
            continue;
          }
          const server = servers.get(variant.name) as LoadServer;
          try {
            const level = await server.level({
              round,
              connections,
              durationSeconds: options.durationSeconds,
              warmupSeconds: options.warmupSeconds,
            });
            ctx.progress.step(
              variant.name,
              `c=${connections}: ${level.requestsPerSec.toFixed(0)} req/s, p50 ${level.latencyP50Ms?.toFixed(3)} ms, p99 ${level.latencyP99Ms?.toFixed(3)} ms`,
            );
          } catch (error) {
            ctx.progress.step(variant.name, `c=${connections}: FAILED: ${describeError(error)}`);
          }
        }
      }
      const cpuAtEnd = serversCpu(servers);
      const noise = await watch.end(cpuAtEnd - cpuAtStart);
      // The goals (and --until-stable) read the rounds so far from the results.
      for (const [variantName, server] of servers) {
        (ctx.results.get(variantName) as VariantResult).throughput = server.current();
      }
      const spawnVariant = loaded.find((v) => v.kind === 'spawn');
      if (spawnVariant !== undefined && spawns.length > 0) {
        (ctx.results.get(spawnVariant.name) as VariantResult).spawnFloor = medianSpawnFloor(spawns);
      }
      ctx.noise.push(noise);
      if (noise.noisy)
        ctx.progress.line(`   round ${round} was noisy: ${noise.noisyBecause.join(', ')}`);
    };
    for (let round = 1; round <= options.rounds; round++) await loadRound(round);

    if (options.untilStablePercent !== null) {
      const capAt = performance.now() + options.untilStableCapSeconds * 1000;
      const pct = options.untilStablePercent;
      for (;;) {
        const wide = wideGoals(ctx, pct, startedAt);
        if (wide.cold.length === 0 && wide.load.length === 0) {
          ctx.progress.line(
            `-- until-stable: every goal's interval is within ${pct} % of its median`,
          );
          break;
        }
        if (performance.now() > capAt) {
          ctx.progress.line(
            `-- until-stable: time cap of ${options.untilStableCapSeconds} s reached; still wider than ${pct} %: ${[...wide.cold, ...wide.load].join(', ')}`,
          );
          break;
        }
        if (wide.cold.length > 0) {
          await coldStartRound(ctx, cold, ctx.coldRounds + 1);
          cold.finish();
        }
        if (wide.load.length > 0) await loadRound(ctx.loadRounds + 1);
      }
    }
    await measureCurves(ctx, servers, loaded);
  } finally {
    dropServers();
    for (const [variantName, server] of servers) {
      const result = ctx.results.get(variantName) as VariantResult;
      try {
        result.throughput = await server.stop();
      } catch (error) {
        ctx.progress.line(`!! stopping the ${variantName} server: ${describeError(error)}`);
      }
      for (const failure of result.throughput?.failures ?? []) {
        fail(ctx, server.variant, `throughput: ${failure}`);
      }
      for (const note of result.throughput?.notes ?? []) {
        ctx.progress.line(`-- ${variantName}: ${note}`);
      }
    }
    const spawnVariant = variants.find((v) => v.kind === 'spawn');
    if (spawnVariant !== undefined && spawns.length > 0) {
      const result = ctx.results.get(spawnVariant.name) as VariantResult;
      result.spawnFloor = medianSpawnFloor(spawns);
      for (const failure of result.spawnFloor.failures) fail(ctx, spawnVariant, failure);
    }
  }
}

function serversCpu(servers: Map<string, LoadServer>): number {
  let sum = 0;
  for (const server of servers.values()) sum += server.cpuMicros();
  return sum;
}

/** Goals whose interval is still wider than `pct` % of their median, by phase. */
function wideGoals(ctx: Context, pct: number, startedAt: Date) {
  // Throughput results live in the servers until they stop; the goals need them now.
  const result = assemble(ctx, startedAt, ctx.launcher.runtime, '');
  const goals = ctx.pass === 'main' ? result.goals : evaluateRuntimeGoals(result, ctx.pass);
  const wide = goals.filter((goal) => {
    if (goal.pairing !== 'per round' || goal.verdict === 'not measured') return false;
    const width = relativeWidthPct(goal);
    return width === null || width > pct || goal.interval === null || goal.interval.coverage < 0.95;
  });
  return {
    cold: wide.filter((g) => g.id.startsWith('cold-start')).map((g) => g.id),
    load: wide
      .filter((g) => g.id.startsWith('throughput') || g.id.startsWith('cpu'))
      .map((g) => g.id),
  };
}

/** Each curve point: one pass, shorter than a round's level (11 points per variant). */
export const CURVE_SECONDS = { duration: 1, warmup: 0.5 };

/**
 * One pass over every curve point, the servers still up: each connection count with the default
 * workload, then each payload size at one connection. Descriptive only: no goal reads a curve.
 */
async function measureCurves(
  ctx: Context,
  servers: Map<string, LoadServer>,
  loaded: Variant[],
): Promise<void> {
  const name = 'curves (connections and payload size)';
  const { options } = ctx;
  if (ctx.pass === 'process pass') return; // the main run draws them; the pass is for goals
  if (!options.curves) {
    return phase(
      ctx,
      name,
      'skipped',
      options.quick
        ? 'not in the quick profile (--curves to add them)'
        : 'asked for with --curves false',
    );
  }
  // The no-sentinels floors answer for the logging's cost, not for a curve's shape.
  const variants = loaded.filter(
    (v) => v.kind === 'server' && servers.has(v.name) && !v.name.endsWith('-no-sentinels'),
  );
  const points = options.curveConnections.length + options.curvePayloadBytes.length;
  ctx.progress.startPhase(name, variants.length * points);
  const curves = new Map(
    variants.map((v) => [v.name, { connections: [] as LoadLevel[], payloads: [] as LoadLevel[] }]),
  );
  const failures: string[] = [];
  const point = async (
    variant: Variant,
    into: LoadLevel[],
    connections: number,
    payloadBytes?: number,
  ) => {
    const server = servers.get(variant.name) as LoadServer;
    const payload =
      payloadBytes === undefined
        ? undefined
        : { bytes: payloadBytes, ...payloadOf(payloadBytes, variant.workload) };
    try {
      const level = await server.level({
        round: 0,
        curve: true,
        connections,
        durationSeconds: CURVE_SECONDS.duration,
        warmupSeconds: CURVE_SECONDS.warmup,
        ...(payload === undefined
          ? {}
          : {
              body: runBody(3_600_000, payload.params),
              expectedBody: payload.expected,
              payloadBytes: payload.bytes,
            }),
      });
      into.push(level);
      ctx.progress.step(
        variant.name,
        `${payloadBytes === undefined ? '' : `${payloadBytes.toLocaleString('en')} B, `}c=${connections}: ${level.requestsPerSec.toFixed(0)} req/s, p50 ${level.latencyP50Ms?.toFixed(3)} ms, p99 ${level.latencyP99Ms?.toFixed(3)} ms`,
      );
    } catch (error) {
      failures.push(`${variant.name}: ${describeError(error)}`);
      ctx.progress.step(variant.name, `FAILED: ${describeError(error)}`);
    }
  };
  for (const connections of options.curveConnections) {
    for (const variant of pairedOrder(variants, 1)) {
      await point(variant, curves.get(variant.name)?.connections as LoadLevel[], connections);
    }
  }
  for (const bytes of options.curvePayloadBytes) {
    for (const variant of pairedOrder(variants, 1)) {
      await point(variant, curves.get(variant.name)?.payloads as LoadLevel[], 1, bytes);
    }
  }
  for (const [variantName, curve] of curves) {
    (ctx.results.get(variantName) as VariantResult).curves = curve;
  }
  phase(ctx, name, failures.length === 0 ? 'measured' : 'failed', failures[0] ?? null);
}
