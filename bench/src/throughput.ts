import autocannon from 'autocannon';
import { checkRunAnswer } from './coldstart.js';
import { BenchError, describeError } from './errors.js';
import type { Launcher } from './launcher.js';
import type { ResourceProbe } from './memory.js';
import { freePort, httpCall, waitForPort } from './net.js';
import { percentile } from './stats.js';
import type { Variant } from './variants.js';
import { INIT_BODY, runBody } from './workload.js';

/** The CPU the server is held to; the bench itself (the load generator) holds itself to 1. */
export const SERVER_CPUSET = '0';

export interface LoadLevel {
  connections: number;
  pipelining: 1;
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
  /** req/s of every round at this connection count, in round order; this level is the median one's. */
  requestsPerSecRounds: number[];
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
  levels: LoadLevel[];
  memory: MemoryResult | null;
  failures: string[];
}

export interface ThroughputOptions {
  connections: readonly number[];
  durationSeconds: number;
  warmupSeconds: number;
  onLevel?: (level: LoadLevel) => void;
}

const MEMORY_SAMPLE_MS = 100;

type WarmupResult = autocannon.Result & { warmup?: autocannon.Result };

/**
 * One server held to CPU 0, loaded at each connection count in turn. A level with any error,
 * timeout, non-2xx answer or wrong body is a failure of the variant, never averaged in.
 */
export async function measureThroughput(
  launcher: Launcher,
  variant: Variant,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const port = await freePort();
  const server = await launcher.launch(variant, { port, cpuset: SERVER_CPUSET });
  const failures: string[] = [];
  const levels: LoadLevel[] = [];
  let memory: MemoryResult | null = null;
  try {
    await waitForPort(port, 30_000, () => server.stillRunning());
    const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
    if (init.status !== 200) throw new BenchError(`/init answered ${init.status}`);
    const first = await httpCall(`${server.url}/run`, { method: 'POST', body: runBody(60_000) });
    checkRunAnswer(variant, first.status, first.body);

    const probe = await server.probe();
    const afterInit = await probe.memory();
    const sampler = sampleMemory(probe);
    try {
      for (const connections of options.connections) {
        const level = await loadLevel(server.url, variant, probe, connections, options);
        levels.push(level);
        options.onLevel?.(level);
        const problems = levelProblems(level);
        if (problems.length > 0)
          failures.push(`${connections} connections: ${problems.join(', ')}`);
      }
    } finally {
      sampler.stop();
    }
    memory = {
      rssAfterInitBytes: afterInit.rssBytes,
      peakRssBytes: Math.max(sampler.peakRss, afterInit.rssBytes),
      cgroupAnonAfterInitBytes: afterInit.cgroupAnonBytes,
      peakCgroupAnonBytes:
        sampler.peakAnon === null || afterInit.cgroupAnonBytes === null
          ? afterInit.cgroupAnonBytes
          : Math.max(sampler.peakAnon, afterInit.cgroupAnonBytes),
      cgroupMaxUsageBytes: await probe.cgroupMaxUsageBytes(),
      sampleIntervalMs: MEMORY_SAMPLE_MS,
    };
  } catch (error) {
    failures.push(describeError(error));
  } finally {
    await server.stop();
  }
  return { serverCpuset: SERVER_CPUSET, levels, memory, failures };
}

export function levelProblems(level: LoadLevel): string[] {
  const problems: string[] = [];
  if (level.errors > 0) problems.push(`${level.errors} errors`);
  if (level.timeouts > 0) problems.push(`${level.timeouts} timeouts`);
  if (level.non2xx > 0) problems.push(`${level.non2xx} non-2xx answers`);
  if (level.warmupMismatches > 0) problems.push(`${level.warmupMismatches} wrong bodies`);
  if (level.warmupRequests === 0) problems.push('the warm-up answered nothing');
  if (level.requestsTotal === 0) problems.push('no request answered');
  return problems;
}

async function loadLevel(
  url: string,
  variant: Variant,
  probe: ResourceProbe,
  connections: number,
  options: ThroughputOptions,
): Promise<LoadLevel> {
  const expected = variant.expectedRunBody;
  const instance = autocannon({
    url: `${url}/run`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // The deadline is far away: a proxy must not cut an activation short during the run.
    body: runBody(3_600_000),
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
  let cpuAtStart: Promise<number> | undefined;
  instance.once('start', () => {
    cpuAtStart = probe.cpuMicros();
  });

  const result = await instance;
  const cpuAtEnd = await probe.cpuMicros();
  const cpuUsed = cpuAtStart === undefined ? null : cpuAtEnd - (await cpuAtStart);
  const samples = Array.from(latencies.subarray(0, count));
  const requestsTotal = result.requests.total;
  return {
    connections,
    pipelining: 1,
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
    requestsPerSecRounds: [],
  };
}

/**
 * One variant's rounds as one result. Each connection count keeps the level of its median round
 * (the lower middle for an even count), so its latencies and CPU belong to the req/s shown, and
 * lists every round's req/s beside it. Memory is the highest peak of any round. A failure in any
 * round fails the variant.
 */
export function mergeRounds(rounds: readonly ThroughputResult[]): ThroughputResult {
  const first = rounds[0];
  if (first === undefined) throw new BenchError('no throughput round to merge');
  const connections = [
    ...new Set(rounds.flatMap((round) => round.levels.map((level) => level.connections))),
  ];
  const levels = connections.map((c) => {
    const perRound = rounds
      .map((round) => round.levels.find((level) => level.connections === c))
      .filter((level): level is LoadLevel => level !== undefined);
    const sorted = [...perRound].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as LoadLevel;
    return { ...median, requestsPerSecRounds: perRound.map((level) => level.requestsPerSec) };
  });
  const memories = rounds.map((round) => round.memory).filter((m) => m !== null);
  const memory =
    memories.length === 0
      ? null
      : memories.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
  const failures = rounds.flatMap((round, index) =>
    rounds.length === 1 ? round.failures : round.failures.map((f) => `round ${index + 1}: ${f}`),
  );
  return { serverCpuset: first.serverCpuset, levels, memory, failures };
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
