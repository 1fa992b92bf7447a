import { availableParallelism } from 'node:os';
import { freePort } from '@owkit/host/ports';
import autocannon from 'autocannon';
import { checkRunAnswer } from './coldstart.js';
import { BenchError, describeError } from './errors.js';
import { type Launcher, type ServerInstance, waitUntilListening } from './launcher.js';
import type { MemoryReading, ResourceProbe } from './memory.js';
import { httpCall } from './net.js';
import { median, percentile } from './stats.js';
import type { Variant } from './variants.js';
import { defaultRunBody, INIT_BODY } from './workload.js';

/** The CPU the server is held to; the bench itself (the load generator) holds itself to 1. */
export const SERVER_CPUSET = '0';

export interface LoadLevel {
  /** The round this level was measured in (every variant is loaded once per round). */
  round: number;
  connections: number;
  pipelining: 1;
  /** Bytes of the `/run` request body. */
  requestBodyBytes: number;
  /** Length of the payload string in the params; null for the default workload. */
  payloadBytes: number | null;
  durationSeconds: number;
  requestsTotal: number;
  requestsPerSec: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMeanMs: number | null;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Requests answered during the warm-up, whose bodies were all checked byte for byte. */
  warmupRequests: number;
  warmupMismatches: number;
  /** Server CPU time over the measured window divided by the requests answered in it. */
  serverCpuMicrosPerRequest: number | null;
  /** Server CPU time over the measured window, in microseconds. */
  serverCpuMicros: number | null;
}

/** One connection count over every clean round: the median of each figure. */
export interface LevelSummary {
  connections: number;
  rounds: number;
  requestsPerSec: number;
  requestsPerSecMin: number;
  requestsPerSecMax: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  serverCpuMicrosPerRequest: number | null;
}

export interface MemoryResult {
  rssAfterInitBytes: number;
  peakRssBytes: number;
  cgroupAnonAfterInitBytes: number | null;
  peakCgroupAnonBytes: number | null;
  /** The kernel's high-water mark of the container's usage, rss + page cache. */
  cgroupMaxUsageBytes: number | null;
  sampleIntervalMs: number;
}

export interface ThroughputResult {
  serverCpuset: string;
  /** Every level of every round, raw. */
  samples: LoadLevel[];
  /** Per connection count, the medians over the rounds without a problem. */
  levels: LevelSummary[];
  memory: MemoryResult | null;
  failures: string[];
  /** Levels left out of the ratios without failing the variant (see WARMUP_UNANSWERED). */
  notes: string[];
}

export interface LevelOptions {
  round: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** The `/run` body to send; the workload's default when absent. */
  body?: string;
  /** The exact answer expected for `body` (checked in the warm-up); null checks nothing. */
  expectedBody?: string | null;
  payloadBytes?: number;
  /** A curve point: kept apart from the rounds (it never enters a goal). */
  curve?: boolean;
}

const MEMORY_SAMPLE_MS = 100;

type WarmupResult = autocannon.Result & { warmup?: autocannon.Result };

/**
 * One server of a variant, held to CPU 0 and kept up across every round, so a round costs only
 * its load (a container start per round would cost more than the load on 2 cores). A level with
 * any error, timeout, non-2xx answer or wrong body is a failure of the variant, never averaged in.
 */
export class LoadServer {
  readonly samples: LoadLevel[] = [];
  readonly failures: string[] = [];
  /** Levels left out of the ratios without the server being at fault. */
  readonly notes: string[] = [];
  private afterInit: MemoryReading | null = null;
  private peakRss = 0;
  private peakAnon: number | null = null;

  private constructor(
    readonly variant: Variant,
    private readonly server: ServerInstance,
    private readonly probe: ResourceProbe,
  ) {}

  static async start(launcher: Launcher, variant: Variant): Promise<LoadServer> {
    const port = await freePort();
    // On one core there is nothing to keep apart: pinning would only state the obvious.
    const pinned = availableParallelism() >= 2 ? { cpuset: SERVER_CPUSET } : {};
    const server = await launcher.launch(variant, { port, ...pinned });
    try {
      await waitUntilListening(server, 30_000);
      const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
      if (init.status !== 200) throw new BenchError(`/init answered ${init.status}`);
      const first = await httpCall(`${server.url}/run`, {
        method: 'POST',
        body: defaultRunBody(variant.workload, 60_000),
      });
      checkRunAnswer(variant, first.status, first.body);
      const loadServer = new LoadServer(variant, server, await server.probe());
      loadServer.afterInit = await loadServer.probe.memory();
      return loadServer;
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
  }

  /** CPU the server has used so far, in microseconds. */
  cpuMicros(): number {
    return this.probe.cpuMicros();
  }

  async level(options: LevelOptions): Promise<LoadLevel> {
    const where =
      options.curve === true
        ? `curve point at ${options.connections} connections, ${options.payloadBytes ?? 'default'} B payload`
        : `round ${options.round}, ${options.connections} connections`;
    const sampler = sampleMemory(this.probe);
    try {
      const level = await loadLevel(this.server.url, this.variant, this.probe, options);
      if (options.curve !== true) this.samples.push(level);
      const problems = levelProblems(level);
      const failures = problems.filter((problem) => problem !== WARMUP_UNANSWERED);
      if (failures.length > 0) this.failures.push(`${where}: ${problems.join(', ')}`);
      else if (problems.length > 0) this.notes.push(`${where}: left out: ${problems.join(', ')}`);
      return level;
    } catch (error) {
      this.failures.push(`${where}: ${describeError(error)}`);
      throw error;
    } finally {
      sampler.stop();
      this.peakRss = Math.max(this.peakRss, sampler.peakRss);
      if (sampler.peakAnon !== null) this.peakAnon = Math.max(this.peakAnon ?? 0, sampler.peakAnon);
    }
  }

  /** Everything measured so far, the server still up (no kernel high-water mark yet). */
  current(): ThroughputResult {
    return {
      serverCpuset: SERVER_CPUSET,
      samples: [...this.samples],
      levels: summarizeLevels(this.samples),
      memory: this.memory(null),
      failures: [...this.failures],
      notes: [...this.notes],
    };
  }

  private memory(cgroupMaxUsageBytes: number | null): MemoryResult | null {
    const afterInit = this.afterInit;
    return afterInit === null
      ? null
      : {
          rssAfterInitBytes: afterInit.rssBytes,
          peakRssBytes: Math.max(this.peakRss, afterInit.rssBytes),
          cgroupAnonAfterInitBytes: afterInit.cgroupAnonBytes,
          peakCgroupAnonBytes:
            this.peakAnon === null || afterInit.cgroupAnonBytes === null
              ? afterInit.cgroupAnonBytes
              : Math.max(this.peakAnon, afterInit.cgroupAnonBytes),
          cgroupMaxUsageBytes,
          sampleIntervalMs: MEMORY_SAMPLE_MS,
        };
  }

  /** Stops the server and gives everything measured on it. */
  async stop(): Promise<ThroughputResult> {
    const maxUsage = await this.probe.cgroupMaxUsageBytes().catch(() => null);
    await this.server.stop();
    return { ...this.current(), memory: this.memory(maxUsage) };
  }
}

/** Medians over the rounds without a problem, per connection count (default-payload levels only). */
export function summarizeLevels(samples: readonly LoadLevel[]): LevelSummary[] {
  const clean = samples.filter((level) => levelProblems(level).length === 0);
  const counts = [...new Set(clean.map((level) => level.connections))];
  const mid = (values: (number | null)[]) => {
    const present = values.filter((v): v is number => v !== null);
    return present.length === 0 ? null : median(present);
  };
  return counts.map((connections) => {
    const levels = clean.filter((level) => level.connections === connections);
    const rps = levels.map((level) => level.requestsPerSec);
    return {
      connections,
      rounds: levels.length,
      requestsPerSec: median(rps),
      requestsPerSecMin: Math.min(...rps),
      requestsPerSecMax: Math.max(...rps),
      latencyP50Ms: mid(levels.map((level) => level.latencyP50Ms)),
      latencyP99Ms: mid(levels.map((level) => level.latencyP99Ms)),
      serverCpuMicrosPerRequest: mid(levels.map((level) => level.serverCpuMicrosPerRequest)),
    };
  });
}

/**
 * A warm-up too short for a slow server under a busy machine can end before any answer: its
 * bodies went unchecked, so the level stays out of every ratio, but the server did nothing wrong.
 */
export const WARMUP_UNANSWERED = 'the warm-up answered nothing (its bodies went unchecked)';

export function levelProblems(level: LoadLevel): string[] {
  const problems: string[] = [];
  if (level.errors > 0) problems.push(`${level.errors} errors`);
  if (level.timeouts > 0) problems.push(`${level.timeouts} timeouts`);
  if (level.non2xx > 0) problems.push(`${level.non2xx} non-2xx answers`);
  if (level.warmupMismatches > 0) problems.push(`${level.warmupMismatches} wrong bodies`);
  if (level.warmupRequests === 0) problems.push(WARMUP_UNANSWERED);
  if (level.requestsTotal === 0) problems.push('no request answered');
  return problems;
}

async function loadLevel(
  url: string,
  variant: Variant,
  probe: ResourceProbe,
  options: LevelOptions,
): Promise<LoadLevel> {
  const { connections } = options;
  const expected =
    options.expectedBody === undefined ? variant.expectedRunBody : options.expectedBody;
  // The deadline is far away: a proxy must not cut an activation short during the run.
  const body = options.body ?? defaultRunBody(variant.workload, 3_600_000);
  const instance = autocannon({
    url: `${url}/run`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    pipelining: 1,
    duration: options.durationSeconds,
    // Spread into the warm-up's options only: bodies are checked there, not in the timed run.
    warmup: {
      connections,
      duration: options.warmupSeconds,
      ...(expected === null ? {} : { verifyBody: (body: string) => body === expected }),
    },
  } as autocannon.Options) as unknown as autocannon.Instance & PromiseLike<WarmupResult>;

  // autocannon's histogram keeps whole milliseconds; sub-millisecond latencies need the raw times.
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  });
  let cpuAtStart: number | undefined;
  instance.once('start', () => {
    cpuAtStart = probe.cpuMicros();
  });

  const result = await instance;
  const cpuAtEnd = probe.cpuMicros();
  const cpuUsed = cpuAtStart === undefined ? null : cpuAtEnd - cpuAtStart;
  const samples = Array.from(latencies.subarray(0, count));
  const requestsTotal = result.requests.total;
  return {
    round: options.round,
    connections,
    pipelining: 1,
    requestBodyBytes: Buffer.byteLength(body),
    payloadBytes: options.payloadBytes ?? null,
    durationSeconds: result.duration,
    requestsTotal,
    requestsPerSec: result.duration > 0 ? requestsTotal / result.duration : 0,
    latencyP50Ms: samples.length > 0 ? percentile(samples, 50) : null,
    latencyP99Ms: samples.length > 0 ? percentile(samples, 99) : null,
    latencyMeanMs: samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : null,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    warmupRequests: result.warmup?.requests.total ?? 0,
    warmupMismatches: result.warmup?.mismatches ?? 0,
    serverCpuMicrosPerRequest:
      cpuUsed === null || requestsTotal === 0 ? null : cpuUsed / requestsTotal,
    serverCpuMicros: cpuUsed,
  };
}

function sampleMemory(probe: ResourceProbe) {
  const state = { peakRss: 0, peakAnon: null as number | null };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    probe
      .memory()
      .then((reading) => {
        state.peakRss = Math.max(state.peakRss, reading.rssBytes);
        if (reading.cgroupAnonBytes !== null) {
          state.peakAnon = Math.max(state.peakAnon ?? 0, reading.cgroupAnonBytes);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, MEMORY_SAMPLE_MS);
  return {
    get peakRss() {
      return state.peakRss;
    },
    get peakAnon() {
      return state.peakAnon;
    },
    stop: () => clearInterval(timer),
  };
}
