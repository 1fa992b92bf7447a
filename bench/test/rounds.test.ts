import { describe, expect, it } from 'vitest';
import { medianSpawnFloor, type SpawnFloorResult } from '../src/spawn-floor.js';
import { type LoadLevel, mergeRounds, type ThroughputResult } from '../src/throughput.js';
import { level as fixtureLevel } from './fixtures/result.js';

/** A fixture level whose latencies and CPU are tied to its req/s, to tell rounds apart. */
function level(connections: number, requestsPerSec: number): LoadLevel {
  return {
    ...fixtureLevel(connections, requestsPerSec),
    latencyP50Ms: 1000 / requestsPerSec,
    latencyP99Ms: 2000 / requestsPerSec,
    serverCpuMicrosPerRequest: requestsPerSec / 100,
    requestsPerSecRounds: [],
  };
}

function round(rps1: number, rps32: number, peakMiB: number, failures: string[] = []) {
  return {
    serverCpuset: '0',
    levels: [level(1, rps1), level(32, rps32)],
    memory: {
      rssAfterInitBytes: 10 * 2 ** 20,
      peakRssBytes: peakMiB * 2 ** 20,
      cgroupAnonAfterInitBytes: null,
      peakCgroupAnonBytes: null,
      cgroupMaxUsageBytes: null,
      sampleIntervalMs: 100,
    },
    failures,
  } satisfies ThroughputResult;
}

describe('mergeRounds', () => {
  it('keeps each level of its median round, whole, with every round listed', () => {
    const merged = mergeRounds([
      round(300, 9000, 20),
      round(100, 11000, 25),
      round(200, 10000, 22),
    ]);
    const [one, many] = merged.levels;
    expect(one).toMatchObject({
      requestsPerSec: 200,
      latencyP50Ms: 5,
      serverCpuMicrosPerRequest: 2,
    });
    expect(one?.requestsPerSecRounds).toEqual([300, 100, 200]);
    expect(many).toMatchObject({ requestsPerSec: 10000, latencyP50Ms: 0.1 });
    expect(many?.requestsPerSecRounds).toEqual([9000, 11000, 10000]);
  });

  it('takes the lower middle of an even count, so the figure is one that was measured', () => {
    const merged = mergeRounds([round(400, 4, 20), round(100, 1, 20)]);
    expect(merged.levels[0]?.requestsPerSec).toBe(100);
  });

  it('reports the highest memory peak of any round', () => {
    const merged = mergeRounds([round(1, 1, 20), round(1, 1, 31), round(1, 1, 25)]);
    expect(merged.memory?.peakRssBytes).toBe(31 * 2 ** 20);
  });

  it('carries every round failure, naming its round', () => {
    const merged = mergeRounds([round(1, 1, 20), round(1, 1, 20, ['32 connections: 3 errors'])]);
    expect(merged.failures).toEqual(['round 2: 32 connections: 3 errors']);
    expect(mergeRounds([round(1, 1, 20, ['x'])]).failures).toEqual(['x']);
  });

  it('refuses to merge nothing', () => {
    expect(() => mergeRounds([])).toThrow(/no throughput round/);
  });
});

describe('medianSpawnFloor', () => {
  const floor = (callsPerSec: number, failures: string[] = []): SpawnFloorResult => ({
    binary: '/bin/exec',
    cpuset: '0',
    durationSeconds: 5,
    warmupCalls: 3,
    calls: callsPerSec * 5,
    callsPerSec,
    perCallMsP50: 1000 / callsPerSec,
    perCallMsP90: 1000 / callsPerSec,
    perCallMsP99: 1000 / callsPerSec,
    perCallMsMin: 1000 / callsPerSec,
    perCallMs: [],
    childProcess: null,
    failures,
  });

  it('keeps the median round and lists every round', () => {
    const median = medianSpawnFloor([floor(250), floor(200, ['answer "x"']), floor(300)]);
    expect(median.callsPerSec).toBe(250);
    expect(median.perCallMsP50).toBe(4);
    expect(median.callsPerSecRounds).toEqual([250, 200, 300]);
    expect(median.failures).toEqual(['answer "x"']);
  });
});
