import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * What a server holds in memory at one moment.
 * - `rssBytes`: the sum of VmRSS over its processes (anonymous + file-backed pages each process
 *   maps, shared pages counted once per process), what `ps` shows.
 * - `cgroupAnonBytes`: the container cgroup's anonymous memory (`total_rss` on cgroup v1,
 *   `anon` on v2): private memory only, never the binary's file pages, which are charged to
 *   whichever cgroup first read them. `null` outside a container.
 */
export interface MemoryReading {
  rssBytes: number;
  cgroupAnonBytes: number | null;
  processCount: number;
}

export interface ResourceProbe {
  memory(): Promise<MemoryReading>;
  /**
   * CPU time used so far by every process of the server, in microseconds. Synchronous on
   * purpose: a reading taken at a load run's start must be of that instant. Read through the
   * event loop, a 40-process tree's reads waited behind autocannon's own work at 32 connections
   * and often finished after the run, so the run's CPU came out near 0.
   */
  cpuMicros(): number;
  /** The kernel's high-water mark of the cgroup's usage (rss + page cache), or null. */
  cgroupMaxUsageBytes(): Promise<number | null>;
}

const CLOCK_TICKS_PER_SECOND = 100;

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function readTextNow(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

async function vmRssBytes(pid: number): Promise<number> {
  const status = await readText(`/proc/${pid}/status`);
  const match = status?.match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) * 1024 : 0;
}

/** utime + stime + cutime + cstime (its own time and its reaped descendants'), in microseconds. */
function cpuOfPid(pid: number): number {
  const stat = readTextNow(`/proc/${pid}/stat`);
  if (stat === null) return 0;
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (index: number) => Number(fields[index - 3] ?? 0);
  const total = ticks(14) + ticks(15) + ticks(16) + ticks(17);
  return (total * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

interface CgroupPaths {
  version: 1 | 2;
  memoryDir: string;
  cpuDir: string;
}

/** The real cgroup folders of a process, from /proc/<pid>/cgroup (v1 or v2). */
export async function cgroupPathsOf(pid: number): Promise<CgroupPaths> {
  const text = await readText(`/proc/${pid}/cgroup`);
  if (text === null) throw new Error(`no process ${pid}`);
  const lines = text.trim().split('\n');
  const v1 = (controller: string) =>
    lines
      .map((line) => line.split(':'))
      .find((parts) => (parts[1] ?? '').split(',').includes(controller))?.[2];
  const memory = v1('memory');
  if (memory !== undefined) {
    const cpu = v1('cpuacct') ?? memory;
    // cpuacct is mounted on its own on some hosts and together with cpu on others.
    const separate = `/sys/fs/cgroup/cpuacct${cpu}`;
    const cpuDir = (await readText(`${separate}/cpuacct.usage`))
      ? separate
      : `/sys/fs/cgroup/cpu,cpuacct${cpu}`;
    return { version: 1, memoryDir: `/sys/fs/cgroup/memory${memory}`, cpuDir };
  }
  const unified = lines.find((line) => line.startsWith('0::'))?.slice(3) ?? '/';
  return { version: 2, memoryDir: `/sys/fs/cgroup${unified}`, cpuDir: `/sys/fs/cgroup${unified}` };
}

function statValue(stat: string | null, key: string): number | null {
  const match = stat?.match(new RegExp(`^${key} (\\d+)$`, 'm'));
  return match ? Number(match[1]) : null;
}

/** Every process of a container, through its cgroup. */
export async function containerProbe(mainPid: number): Promise<ResourceProbe> {
  const paths = await cgroupPathsOf(mainPid);
  const pids = async () =>
    ((await readText(`${paths.memoryDir}/cgroup.procs`)) ?? String(mainPid))
      .split('\n')
      .filter(Boolean)
      .map(Number);
  return {
    async memory() {
      const members = await pids();
      const rss = await Promise.all(members.map(vmRssBytes));
      const stat = await readText(`${paths.memoryDir}/memory.stat`);
      const anon = paths.version === 1 ? statValue(stat, 'total_rss') : statValue(stat, 'anon');
      return {
        rssBytes: rss.reduce((a, b) => a + b, 0),
        cgroupAnonBytes: anon,
        processCount: members.length,
      };
    },
    cpuMicros() {
      if (paths.version === 1) {
        const usage = readTextNow(`${paths.cpuDir}/cpuacct.usage`);
        return usage === null ? 0 : Number(usage) / 1_000;
      }
      return statValue(readTextNow(`${paths.cpuDir}/cpu.stat`), 'usage_usec') ?? 0;
    },
    async cgroupMaxUsageBytes() {
      const file = paths.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak';
      const text = await readText(`${paths.memoryDir}/${file}`);
      return text === null ? null : Number(text);
    },
  };
}

/**
 * The descendants of a process, found through /proc/<pid>/task/<tid>/children, at one instant: a
 * few dozen small reads, done before anything else runs.
 */
function processTreeNow(rootPid: number): number[] {
  const found = [rootPid];
  for (let i = 0; i < found.length; i++) {
    const pid = found[i] as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      const children = readTextNow(`/proc/${pid}/task/${task}/children`);
      for (const child of (children ?? '').split(' ').filter(Boolean)) found.push(Number(child));
    }
  }
  return found;
}

/** A plain process and everything it started (process mode). */
export function processTreeProbe(rootPid: number): ResourceProbe {
  return {
    async memory() {
      const members = processTreeNow(rootPid);
      const rss = await Promise.all(members.map(vmRssBytes));
      return {
        rssBytes: rss.reduce((a, b) => a + b, 0),
        cgroupAnonBytes: null,
        processCount: members.length,
      };
    },
    cpuMicros() {
      // Every CPU second is either a live member's own or in its reaper's cutime/cstime, and the
      // reaper of a member is a member: the blackbox proxy's children are reaped by owkit-spawn,
      // not by the root, so only the root's reaped time would leave them all out.
      return processTreeNow(rootPid).reduce((sum, pid) => sum + cpuOfPid(pid), 0);
    },
    async cgroupMaxUsageBytes() {
      return null;
    },
  };
}
