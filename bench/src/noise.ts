/**
 * What else the machine did during a round. On shared VMs the neighbours (CPU steal), the disk
 * (iowait), other work on this machine and the container engine's own work all move the figures;
 * each round records them, and a round past a threshold is flagged noisy in the report.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Steal above this share of all CPU time flags a round: the hypervisor took that much. */
export const NOISY_STEAL_PCT = 5;
/** CPU used by anything but the bench, its servers and the engine, above this share, flags it. */
export const NOISY_OTHER_PCT = 10;

const CLOCK_TICKS_PER_SECOND = 100;
/** The container engine's own processes (comm is cut to 15 characters). */
const ENGINE_COMMANDS = new Set(['dockerd', 'containerd', 'containerd-shim', 'docker-proxy']);

export interface RoundNoise {
  phase: 'cold start' | 'throughput';
  round: number;
  wallMs: number;
  /** Shares of all CPUs' time over the round, in percent (2 cores = 200 % of one core = 100 %). */
  stealPct: number;
  iowaitPct: number;
  busyPct: number;
  /** dockerd, containerd and the shims. */
  enginePct: number;
  /** This process (the load generator) and the children it reaped. */
  benchPct: number;
  /** The servers under test, when known (throughput); null for cold starts. */
  serversPct: number | null;
  /** busy − engine − bench − servers: everything else on the machine; null when servers unknown. */
  otherPct: number | null;
  /** Mean current frequency over the CPUs, where the kernel exposes it. */
  cpuMHz: number | null;
  cpuMHzSource: 'cpufreq' | 'cpuinfo' | null;
  noisy: boolean;
  noisyBecause: string[];
}

interface CpuTimes {
  total: number;
  idle: number;
  iowait: number;
  steal: number;
}

/** The aggregate `cpu` line of /proc/stat, in clock ticks. */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate cpu line');
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number) => f[i] ?? 0;
  const total = at(0) + at(1) + at(2) + at(3) + at(4) + at(5) + at(6) + at(7);
  return { total, idle: at(3), iowait: at(4), steal: at(7) };
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime (+ reaped children's when asked), in clock ticks. */
export function parsePidStat(text: string, withChildren: boolean): number {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const at = (index: number) => Number(fields[index - 3] ?? 0);
  return at(14) + at(15) + (withChildren ? at(16) + at(17) : 0);
}

async function enginePids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readText(`/proc/${entry}/comm`))?.trim();
    if (comm !== undefined && ENGINE_COMMANDS.has(comm)) pids.push(Number(entry));
  }
  return pids;
}

async function ticksOf(pids: readonly number[]): Promise<number> {
  let sum = 0;
  for (const pid of pids) {
    const text = await readText(`/proc/${pid}/stat`);
    if (text !== null) sum += parsePidStat(text, false);
  }
  return sum;
}

async function cpuMHz(): Promise<{ mhz: number | null; source: RoundNoise['cpuMHzSource'] }> {
  const cpus = (await readdir('/sys/devices/system/cpu').catch(() => [])).filter((d) =>
    /^cpu\d+$/.test(d),
  );
  const khz: number[] = [];
  for (const cpu of cpus) {
    const text = await readText(`/sys/devices/system/cpu/${cpu}/cpufreq/scaling_cur_freq`);
    if (text !== null && Number(text) > 0) khz.push(Number(text));
  }
  if (khz.length > 0) {
    return { mhz: khz.reduce((a, b) => a + b, 0) / khz.length / 1000, source: 'cpufreq' };
  }
  const info = await readText('/proc/cpuinfo');
  const mhz = [...(info ?? '').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
  if (mhz.length > 0)
    return { mhz: mhz.reduce((a, b) => a + b, 0) / mhz.length, source: 'cpuinfo' };
  return { mhz: null, source: null };
}

interface Snapshot {
  at: number;
  cpu: CpuTimes;
  engineTicks: number;
  benchTicks: number;
  enginePids: number[];
}

async function snapshot(pids?: number[]): Promise<Snapshot> {
  const engine = pids ?? (await enginePids());
  const self = await readText('/proc/self/stat');
  return {
    at: performance.now(),
    cpu: parseProcStat((await readText('/proc/stat')) ?? ''),
    engineTicks: await ticksOf(engine),
    benchTicks: self === null ? 0 : parsePidStat(self, true),
    enginePids: engine,
  };
}

/**
 * Starts watching a round; `end` gives its noise. `serverMicros`: the CPU the servers under test
 * used in the round (microseconds), when the caller knows it.
 */
export async function watchRound(phase: RoundNoise['phase'], round: number) {
  const start = await snapshot();
  return {
    async end(serverMicros: number | null = null): Promise<RoundNoise> {
      const stop = await snapshot(start.enginePids);
      const { mhz, source } = await cpuMHz();
      return noiseBetween(phase, round, start, stop, serverMicros, mhz, source);
    },
  };
}

export function noiseBetween(
  phase: RoundNoise['phase'],
  round: number,
  start: Snapshot,
  stop: Snapshot,
  serverMicros: number | null,
  mhz: number | null,
  source: RoundNoise['cpuMHzSource'],
): RoundNoise {
  const total = Math.max(stop.cpu.total - start.cpu.total, 1);
  const pct = (ticks: number) => (100 * ticks) / total;
  const busy = total - (stop.cpu.idle - start.cpu.idle) - (stop.cpu.iowait - start.cpu.iowait);
  const stealPct = pct(stop.cpu.steal - start.cpu.steal);
  const enginePct = pct(Math.max(0, stop.engineTicks - start.engineTicks));
  const benchPct = pct(Math.max(0, stop.benchTicks - start.benchTicks));
  const serversPct =
    serverMicros === null ? null : pct((serverMicros / 1e6) * CLOCK_TICKS_PER_SECOND);
  // Steal is counted in busy time; it is not this machine's work, so it is not "other".
  const otherPct =
    serversPct === null
      ? null
      : Math.max(0, pct(busy) - stealPct - enginePct - benchPct - serversPct);
  const noisyBecause: string[] = [];
  if (stealPct > NOISY_STEAL_PCT) noisyBecause.push(`steal ${stealPct.toFixed(1)} %`);
  if (otherPct !== null && otherPct > NOISY_OTHER_PCT) {
    noisyBecause.push(`other load ${otherPct.toFixed(1)} %`);
  }
  return {
    phase,
    round,
    wallMs: stop.at - start.at,
    stealPct,
    iowaitPct: pct(stop.cpu.iowait - start.cpu.iowait),
    busyPct: pct(busy),
    enginePct,
    benchPct,
    serversPct,
    otherPct,
    cpuMHz: mhz,
    cpuMHzSource: source,
    noisy: noisyBecause.length > 0,
    noisyBecause,
  };
}
