import { describe, expect, it } from 'vitest';
import { medianSpawnFloor, type SpawnFloorResult } from '../src/spawn-floor.js';
import { levelProblems, summarizeLevels, WARMUP_UNANSWERED } from '../src/throughput.js';
import { pairedOrder, type Variant } from '../src/variants.js';
import { level } from './fixtures/result.js';

describe('summarizeLevels', () => {
  it('gives each connection count the medians over its rounds and the spread of req/s', () => {
    const samples = [
      { ...level(1, 300, 1), latencyP50Ms: 3 },
      { ...level(1, 100, 2), latencyP50Ms: 1 },
      { ...level(1, 200, 3), latencyP50Ms: 2 },
      level(32, 9000, 1),
      level(32, 11000, 2),
    ];
    const [one, many] = summarizeLevels(samples);
    expect(one).toMatchObject({
      connections: 1,
      rounds: 3,
      requestsPerSec: 200,
      requestsPerSecMin: 100,
      requestsPerSecMax: 300,
      latencyP50Ms: 2,
    });
    expect(many).toMatchObject({ connections: 32, rounds: 2, requestsPerSec: 10000 });
  });

  it('leaves out rounds with errors, timeouts, non-2xx answers or wrong bodies', () => {
    const samples = [
      level(1, 100, 1),
      { ...level(1, 99_999, 2), errors: 1 },
      { ...level(1, 99_999, 3), warmupMismatches: 2 },
      level(1, 300, 4),
    ];
    expect(summarizeLevels(samples)[0]).toMatchObject({ rounds: 2, requestsPerSec: 200 });
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

  it('keeps the median clean round, lists every clean round and names failed rounds', () => {
    const median = medianSpawnFloor([
      { round: 1, floor: floor(250) },
      { round: 2, floor: floor(200, ['answer "x"']) },
      { round: 3, floor: floor(300) },
      { round: 4, floor: floor(260) },
    ]);
    expect(median.callsPerSec).toBe(260);
    expect(median.rounds).toEqual([
      { round: 1, callsPerSec: 250 },
      { round: 3, callsPerSec: 300 },
      { round: 4, callsPerSec: 260 },
    ]);
    expect(median.failures).toEqual(['round 2: answer "x"']);
  });
});

describe('pairedOrder', () => {
  const v = (name: string, pairGroup: Variant['pairGroup']) => ({ name, pairGroup });
  const variants = [
    v('ts-native', 'node'),
    v('go-native', 'go'),
    v('go-blackbox', 'spawn'),
    v('floor-node', 'node'),
    v('floor-go', 'go'),
    v('floor-spawn', 'spawn'),
  ];
  const names = (round: number) => pairedOrder(variants, round).map((x) => x.name);

  it('keeps the two sides of every ratio next to each other', () => {
    for (const round of [1, 2, 3, 4]) {
      const order = names(round);
      for (const [a, b] of [
        ['ts-native', 'floor-node'],
        ['go-native', 'floor-go'],
        ['go-blackbox', 'floor-spawn'],
      ]) {
        expect(Math.abs(order.indexOf(a as string) - order.indexOf(b as string))).toBe(1);
      }
    }
  });

  it('rotates the groups and flips each pair every other round', () => {
    expect(names(1)).toEqual([
      'ts-native',
      'floor-node',
      'go-native',
      'floor-go',
      'go-blackbox',
      'floor-spawn',
    ]);
    expect(names(2)).toEqual([
      'floor-go',
      'go-native',
      'floor-spawn',
      'go-blackbox',
      'floor-node',
      'ts-native',
    ]);
    expect(names(3)[0]).toBe('go-blackbox');
  });
});

describe('levelProblems', () => {
  it('an unanswered warm-up leaves the level out without blaming the server', () => {
    expect(levelProblems({ ...level(32, 100), warmupRequests: 0 })).toEqual([WARMUP_UNANSWERED]);
    expect(
      summarizeLevels([{ ...level(32, 100), warmupRequests: 0 }, level(32, 300)])[0],
    ).toMatchObject({
      rounds: 1,
      requestsPerSec: 300,
    });
  });
});
