import { readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

const MiB = 1024 * 1024;

/**
 * Peak memory of one container, as the kernel's OOM killer counts it. On cgroup v1 (this
 * project's machines) that is `memory.max_usage_in_bytes` of the container's cgroup, which root
 * can reset so that each case gets its own peak; elsewhere `docker stats` is sampled instead,
 * which can miss a short spike (the figure then says so).
 */
export class ContainerMemory {
  private readonly cgroupDir: string;
  private sampled = 0;
  private sampler: Promise<void> | undefined;
  private sampling = false;

  constructor(readonly containerId: string) {
    this.cgroupDir = `/sys/fs/cgroup/memory/docker/${containerId}`;
  }

  private cgroupValue(file: string): number | undefined {
    try {
      return Number(readFileSync(`${this.cgroupDir}/${file}`, 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  /** Where the figures come from: `cgroup` is exact, `docker stats` a sample every second or so. */
  get source(): 'cgroup' | 'docker stats' {
    return this.cgroupValue('memory.max_usage_in_bytes') === undefined ? 'docker stats' : 'cgroup';
  }

  /** Starts a new peak from the current usage. */
  async resetPeak(): Promise<void> {
    await this.stopSampling();
    if (this.source === 'cgroup') {
      try {
        writeFileSync(`${this.cgroupDir}/memory.max_usage_in_bytes`, '0');
        return;
      } catch {
        // Not root: the peak then covers the container's whole life, which only overstates it.
        return;
      }
    }
    this.sampled = 0;
    this.sampling = true;
    this.sampler = (async () => {
      while (this.sampling) this.sampled = Math.max(this.sampled, await this.statsBytes());
    })();
  }

  private async statsBytes(): Promise<number> {
    const result = await execa(
      'docker',
      ['stats', '--no-stream', '--format', '{{.MemUsage}}', this.containerId],
      { reject: false, stdin: 'ignore' },
    );
    const match = /^([\d.]+)\s*([KMG]?i?B)/.exec(result.stdout.trim());
    if (match === null) return 0;
    const unit = { B: 1, KiB: 1024, MiB, GiB: 1024 * MiB } as Record<string, number>;
    return Number(match[1]) * (unit[match[2] as string] ?? 1);
  }

  private async stopSampling(): Promise<void> {
    this.sampling = false;
    await this.sampler;
    this.sampler = undefined;
  }

  /** The peak since the last reset, in bytes. */
  async peakBytes(): Promise<number> {
    if (this.source === 'cgroup') return this.cgroupValue('memory.max_usage_in_bytes') ?? 0;
    await this.stopSampling();
    return Math.max(this.sampled, await this.statsBytes());
  }

  /**
   * How many processes of the container the kernel's OOM killer has ended so far (cgroup v1
   * `memory.oom_control`, kernel 4.13+); undefined where that is not readable. A proxy's child
   * can be killed while the proxy, and so the container, lives on.
   */
  oomKills(): number | undefined {
    try {
      const text = readFileSync(`${this.cgroupDir}/memory.oom_control`, 'utf8');
      const match = /^oom_kill (\d+)$/m.exec(text);
      return match === null ? undefined : Number(match[1]);
    } catch {
      return undefined;
    }
  }
}

/** Whether Docker recorded an OOM kill of the container's main process. */
export async function oomKilled(containerId: string): Promise<boolean> {
  const result = await execa(
    'docker',
    ['inspect', '--format', '{{.State.OOMKilled}}', containerId],
    {
      reject: false,
      stdin: 'ignore',
    },
  );
  return result.stdout.trim() === 'true';
}

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}
