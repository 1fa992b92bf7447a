import { access, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { isAbsolute } from 'node:path';
import { CleanupList } from './cleanup.js';
import { type ColdStartSample, measureColdStart, PHASES } from './coldstart.js';
import { evaluateGoals } from './compare.js';
import { DockerCli } from './docker.js';
import { startThrowAwayEngine, type ThrowAwayEngine } from './engine.js';
import { pinSelf, readEnvironment } from './environment.js';
import { BenchError, describeError } from './errors.js';
import {
  buildFloorBinaries,
  buildFloorImages,
  inspectVariantImage,
  pushAndMeasure,
  registryName,
} from './images.js';
import { dockerLauncher, type Launcher, processLauncher } from './launcher.js';
import type { BenchOptions } from './options.js';
import type { Progress } from './progress.js';
import { type LocalRegistry, startRegistry } from './registry.js';
import {
  type BenchResult,
  type ColdStartSeries,
  type PulledSeries,
  RESULT_SCHEMA,
  type VariantResult,
} from './result.js';
import { measureSpawnFloor, medianSpawnFloor, type SpawnFloorResult } from './spawn-floor.js';
import { summarize } from './stats.js';
import {
  measureThroughput,
  mergeRounds,
  SERVER_CPUSET,
  type ThroughputResult,
} from './throughput.js';
import { BLACKBOX_BINARY, VARIANTS, type Variant } from './variants.js';

const LOAD_GENERATOR_CPUS = '1';

interface Context {
  options: BenchOptions;
  cleanup: CleanupList;
  progress: Progress;
  launcher: Launcher;
  docker: DockerCli | null;
  selected: Variant[];
  results: Map<string, VariantResult>;
}

function fail(ctx: Context, variant: Variant, why: string): void {
  const result = ctx.results.get(variant.name) as VariantResult;
  result.status = 'failed';
  result.failures.push(why);
  ctx.progress.line(`!! ${variant.name}: ${why}`);
}

async function chooseRuntime(options: BenchOptions): Promise<{
  runtime: 'docker' | 'process';
  reason: string;
  docker: DockerCli | null;
}> {
  if (options.runtime === 'process') {
    return { runtime: 'process', reason: 'asked for with --runtime process', docker: null };
  }
  const docker = new DockerCli();
  if (await docker.answers()) {
    return { runtime: 'docker', reason: `asked for with --runtime ${options.runtime}`, docker };
  }
  if (options.runtime === 'docker')
    throw new BenchError('--runtime docker: no Docker engine answers');
  return {
    runtime: 'process',
    reason:
      'NO DOCKER ENGINE ANSWERED: variants ran as local processes, without image or pull figures',
    docker: null,
  };
}

/** Everything the issue asks for, in one run; the caller writes the files. */
export async function runBench(
  options: BenchOptions,
  progress: Progress,
  cleanup: CleanupList = new CleanupList(),
): Promise<BenchResult> {
  const startedAt = new Date();
  const { runtime, reason, docker } = await chooseRuntime(options);
  progress.line(`runtime: ${runtime.toUpperCase()} (${reason})`);
  if (cpus().length >= 2) {
    if (await pinSelf(LOAD_GENERATOR_CPUS)) {
      progress.line(
        `load generator held to CPU ${LOAD_GENERATOR_CPUS}, servers under load to CPU ${SERVER_CPUSET}`,
      );
    } else {
      progress.line('!! could not pin the bench to a CPU (taskset failed): throughput is noisier');
    }
  }

  const selected = VARIANTS.filter((variant) => options.variants.includes(variant.name));
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
        {
          name: variant.name,
          role: variant.role,
          description: variant.description,
          image: docker === null ? null : (variant.image ?? null),
          floors: variant.floors,
          status: 'ok',
          failures: [],
          imageFacts: null,
          coldStartCached: null,
          coldStartPulled: null,
          throughput: null,
          spawnFloor: null,
        },
      ]),
    ),
  };

  await prepare(ctx);
  if (docker !== null) await measureImages(ctx, docker);
  await measureCachedColdStarts(ctx);
  if (docker !== null && options.pullRepeats > 0) await measurePulls(ctx, docker);
  await measureLoad(ctx);

  const require = createRequire(import.meta.url);
  const autocannonVersion = (require('autocannon/package.json') as { version: string }).version;
  const environment = await readEnvironment(docker, SERVER_CPUSET, autocannonVersion);
  const finishedAt = new Date();
  const result: BenchResult = {
    schema: RESULT_SCHEMA,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    runtime,
    runtimeReason: reason,
    options: {
      quick: options.quick,
      variants: options.variants,
      coldStartRepeats: options.repeats,
      pullRepeats: docker === null ? 0 : options.pullRepeats,
      loadRounds: options.rounds,
      loadDurationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      pipelining: 1,
    },
    environment,
    variants: [...ctx.results.values()],
    goals: [],
    failed: [...ctx.results.values()].some((variant) => variant.status === 'failed'),
  };
  result.goals = evaluateGoals(result);
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
      if (!(await ctx.docker.imageExists(variant.image))) {
        fail(ctx, variant, `image ${variant.image} is missing (run pnpm images)`);
      }
    }
    for (const file of filesNeeded(variant, ctx.launcher.runtime)) {
      await access(file, constants.R_OK).catch(() =>
        fail(ctx, variant, `${file} is missing (run pnpm build)`),
      );
    }
  }
}

function runnable(ctx: Context, variant: Variant): boolean {
  return ctx.results.get(variant.name)?.failures.length === 0;
}

async function measureImages(ctx: Context, docker: DockerCli): Promise<void> {
  for (const variant of ctx.selected) {
    if (!variant.measure.image || !runnable(ctx, variant)) continue;
    try {
      const facts = await inspectVariantImage(docker, variant);
      (ctx.results.get(variant.name) as VariantResult).imageFacts = facts;
    } catch (error) {
      fail(ctx, variant, describeError(error));
    }
  }
}

/** Rounds over every variant (order rotated each round) so drift hits all of them alike. */
function interleaved(variants: Variant[], rounds: number): Variant[] {
  const order: Variant[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      order.push(variants[(i + round) % variants.length] as Variant);
    }
  }
  return order;
}

function summarizePhases(samples: ColdStartSample[]) {
  if (samples.length === 0) return null;
  const pick = (key: keyof ColdStartSample) => summarize(samples.map((s) => s[key]));
  return {
    startMs: pick('startMs'),
    listenMs: pick('listenMs'),
    initMs: pick('initMs'),
    firstRunMs: pick('firstRunMs'),
    totalMs: pick('totalMs'),
  };
}

function describeSample(sample: ColdStartSample): string {
  const phases = PHASES.map((phase) => `${phase.replace('Ms', '')} ${sample[phase].toFixed(1)}`);
  return `${sample.totalMs.toFixed(1)} ms (${phases.join(', ')})`;
}

async function measureCachedColdStarts(ctx: Context): Promise<void> {
  const variants = ctx.selected.filter((v) => v.measure.coldStart && runnable(ctx, v));
  const series = new Map<string, ColdStartSeries>(
    variants.map((v) => [v.name, { samples: [], failures: [], summaryMs: null }]),
  );
  const order = interleaved(variants, ctx.options.repeats);
  ctx.progress.startPhase('cold start, image cached', order.length);
  for (const variant of order) {
    const own = series.get(variant.name) as ColdStartSeries;
    try {
      const sample = await measureColdStart(ctx.launcher, variant);
      own.samples.push(sample);
      ctx.progress.step(variant.name, describeSample(sample));
    } catch (error) {
      own.failures.push(describeError(error));
      ctx.progress.step(variant.name, `FAILED: ${describeError(error)}`);
    }
  }
  for (const variant of variants) {
    const own = series.get(variant.name) as ColdStartSeries;
    own.summaryMs = summarizePhases(own.samples);
    (ctx.results.get(variant.name) as VariantResult).coldStartCached = own;
    if (own.failures.length > 0) {
      fail(ctx, variant, `${own.failures.length} cached cold start(s) failed: ${own.failures[0]}`);
    }
  }
}

async function measurePulls(ctx: Context, docker: DockerCli): Promise<void> {
  const variants = ctx.selected.filter(
    (v) => v.measure.image && v.measure.coldStart && runnable(ctx, v),
  );
  if (variants.length === 0) return;
  let registry: LocalRegistry | undefined;
  let engine: ThrowAwayEngine | undefined;
  const dropCleanup = ctx.cleanup.add(async () => {
    await engine?.stop();
    await registry?.stop();
  });
  try {
    ctx.progress.line('── local registry: starting, pushing each image once');
    registry = await startRegistry();
    for (const variant of variants) {
      const facts = (ctx.results.get(variant.name) as VariantResult).imageFacts;
      if (facts === null) continue;
      await pushAndMeasure(docker, registry, facts);
      ctx.progress.line(
        `pushed ${variant.name.padEnd(24)} ${(facts.compressedImageBytes ?? 0).toLocaleString('en')} bytes compressed`,
      );
    }
    ctx.progress.line(
      '── throw-away engine: starting (its image store is emptied before every pull)',
    );
    engine = await startThrowAwayEngine();
    const pullLauncher = dockerLauncher(engine.docker);
    const series = new Map<string, PulledSeries>(
      variants.map((v) => [
        v.name,
        { samples: [], failures: [], summaryMs: null, modelledTransferMs: null },
      ]),
    );
    const order = interleaved(variants, ctx.options.pullRepeats);
    ctx.progress.startPhase('cold start, image pulled', order.length);
    for (const variant of order) {
      const own = series.get(variant.name) as PulledSeries;
      const image = registryName(registry, variant.image as string);
      try {
        await engine.docker.removeAllImages();
        const t0 = performance.now();
        await engine.docker.pull(image);
        const pullMs = performance.now() - t0;
        const sample = await measureColdStart(pullLauncher, variant, { image });
        own.samples.push({ ...sample, pullMs, pullAndColdStartMs: pullMs + sample.totalMs });
        ctx.progress.step(variant.name, `pull ${pullMs.toFixed(0)} ms + ${describeSample(sample)}`);
      } catch (error) {
        own.failures.push(describeError(error));
        ctx.progress.step(variant.name, `FAILED: ${describeError(error)}`);
      }
    }
    for (const variant of variants) {
      const own = series.get(variant.name) as PulledSeries;
      const result = ctx.results.get(variant.name) as VariantResult;
      const phases = summarizePhases(own.samples);
      own.summaryMs =
        phases === null
          ? null
          : {
              ...phases,
              pullMs: summarize(own.samples.map((s) => s.pullMs)),
              pullAndColdStartMs: summarize(own.samples.map((s) => s.pullAndColdStartMs)),
            };
      const compressed = result.imageFacts?.compressedImageBytes;
      if (compressed !== null && compressed !== undefined) {
        own.modelledTransferMs = {
          at100Mbit: ((compressed * 8) / 100e6) * 1000,
          at1Gbit: ((compressed * 8) / 1e9) * 1000,
        };
      }
      result.coldStartPulled = own;
      if (own.failures.length > 0) {
        fail(
          ctx,
          variant,
          `${own.failures.length} pulled cold start(s) failed: ${own.failures[0]}`,
        );
      }
    }
  } catch (error) {
    for (const variant of variants) fail(ctx, variant, `pull runs: ${describeError(error)}`);
  } finally {
    dropCleanup();
    await engine?.stop().catch((error: unknown) => {
      ctx.progress.line(`!! stopping the throw-away engine: ${describeError(error)}`);
    });
    await registry?.stop();
  }
}

async function measureLoad(ctx: Context): Promise<void> {
  const variants = ctx.selected.filter((v) => v.measure.throughput && runnable(ctx, v));
  const { rounds } = ctx.options;
  const stepsPerRound = variants.reduce(
    (n, v) => n + (v.kind === 'spawn' ? 1 : ctx.options.connections.length),
    0,
  );
  ctx.progress.startPhase(
    'throughput',
    stepsPerRound * rounds,
    `${rounds} round${rounds === 1 ? '' : 's'}, every variant once per round; ${ctx.options.durationSeconds} s per connection count after ${ctx.options.warmupSeconds} s of warm-up, server on CPU ${SERVER_CPUSET}`,
  );
  // Rounds interleave the variants, so a slow minute of the machine lands on all of them alike
  // instead of on whichever variant happened to run in it; the median round is reported.
  const loads = new Map<string, ThroughputResult[]>();
  const spawns: SpawnFloorResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const label = (name: string) => (rounds === 1 ? name : `${name} (round ${round}/${rounds})`);
    for (const variant of variants) {
      if (variant.kind === 'spawn') {
        try {
          const floor = await measureSpawnFloor(
            BLACKBOX_BINARY,
            SERVER_CPUSET,
            ctx.options.durationSeconds,
            ctx.options.warmupSeconds,
          );
          spawns.push(floor);
          ctx.progress.step(
            label(variant.name),
            `${floor.callsPerSec.toFixed(0)} calls/s, ${floor.perCallMsP50.toFixed(2)} ms per call (p50)`,
          );
        } catch (error) {
          ctx.progress.step(label(variant.name), 'FAILED');
          fail(ctx, variant, describeError(error));
        }
        continue;
      }
      const throughput = await measureThroughput(ctx.launcher, variant, {
        connections: ctx.options.connections,
        durationSeconds: ctx.options.durationSeconds,
        warmupSeconds: ctx.options.warmupSeconds,
        onLevel: (level) =>
          ctx.progress.step(
            label(variant.name),
            `c=${level.connections}: ${level.requestsPerSec.toFixed(0)} req/s, p50 ${level.latencyP50Ms?.toFixed(3)} ms, p99 ${level.latencyP99Ms?.toFixed(3)} ms`,
          ),
      });
      loads.set(variant.name, [...(loads.get(variant.name) ?? []), throughput]);
    }
  }
  for (const variant of variants) {
    const result = ctx.results.get(variant.name) as VariantResult;
    if (variant.kind === 'spawn') {
      if (spawns.length === 0) continue;
      result.spawnFloor = medianSpawnFloor(spawns);
      for (const failure of result.spawnFloor.failures) fail(ctx, variant, failure);
      continue;
    }
    const throughput = mergeRounds(loads.get(variant.name) ?? []);
    result.throughput = throughput;
    for (const failure of throughput.failures) fail(ctx, variant, `throughput: ${failure}`);
  }
}
