import { describe, expect, it } from 'vitest';
import { noiseBetween, parsePidStat, parseProcStat, watchRound } from '../src/noise.js';

const stat = (user: number, idle: number, iowait: number, steal: number) =>
  `cpu  ${user} 0 0 ${idle} ${iowait} 0 0 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n`;

describe('noise', () => {
  it('reads the aggregate cpu line of /proc/stat', () => {
    expect(parseProcStat(stat(100, 300, 20, 80))).toEqual({
      total: 500,
      idle: 300,
      iowait: 20,
      steal: 80,
    });
  });

  it('reads utime + stime of a process, with a command name holding spaces', () => {
    const text = '42 (my proc (x)) S 1 1 1 0 -1 0 0 0 0 0 7 3 2 1 20 0 1 0';
    expect(parsePidStat(text, false)).toBe(10);
    expect(parsePidStat(text, true)).toBe(13);
  });

  it('splits a round into steal, iowait, engine, bench, servers and other, and flags it', () => {
    const snap = (cpu: string, engineTicks: number, benchTicks: number) => ({
      at: 0,
      cpu: parseProcStat(cpu),
      engineTicks,
      benchTicks,
      enginePids: [],
    });
    // 1000 ticks in all: 100 steal, 600 busy in all (steal included), 50 iowait.
    const start = snap(stat(0, 0, 0, 0), 0, 0);
    const stop = snap(stat(500, 350, 50, 100), 100, 150);
    // Servers: 2 s of CPU = 200 ticks.
    const noise = noiseBetween(
      'throughput',
      2,
      start,
      { ...stop, at: 10_000 },
      2_000_000,
      2600,
      'cpuinfo',
    );
    expect(noise).toMatchObject({
      round: 2,
      wallMs: 10_000,
      stealPct: 10,
      iowaitPct: 5,
      busyPct: 60,
      enginePct: 10,
      benchPct: 15,
      serversPct: 20,
      otherPct: 5,
      noisy: true,
      noisyBecause: ['steal 10.0 %'],
    });
  });

  it('watches a real round on this machine', async () => {
    const watch = await watchRound('cold start', 1);
    const noise = await watch.end();
    expect(noise.phase).toBe('cold start');
    expect(noise.stealPct).toBeGreaterThanOrEqual(0);
    expect(noise.busyPct).toBeLessThanOrEqual(100);
    expect(noise.otherPct).toBeNull();
  });
});
