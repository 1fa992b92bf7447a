/** Ratios and goals, computed from a result alone (the report and the JSON share them). */
import type { BenchResult, Goal, VariantResult } from './result.js';
import { ratio } from './stats.js';
import { BASELINE, type VariantName } from './variants.js';

export function variantIn(result: BenchResult, name: VariantName): VariantResult | undefined {
  return result.variants.find((variant) => variant.name === name);
}

export function coldCachedMedianMs(variant: VariantResult | undefined): number | null {
  return variant?.coldStartCached?.summaryMs?.totalMs.median ?? null;
}

export function coldPulledMedianMs(variant: VariantResult | undefined): number | null {
  return variant?.coldStartPulled?.summaryMs?.pullAndColdStartMs.median ?? null;
}

export function compressedBytes(variant: VariantResult | undefined): number | null {
  return variant?.imageFacts?.compressedImageBytes ?? null;
}

/** req/s at the connection count; the spawn floor's calls/s stands for its 1 connection. */
export function requestsPerSec(
  variant: VariantResult | undefined,
  connections: number,
): number | null {
  if (variant === undefined || variant.status === 'failed') return null;
  if (variant.spawnFloor !== null) return connections === 1 ? variant.spawnFloor.callsPerSec : null;
  const level = variant.throughput?.levels.find((l) => l.connections === connections);
  return level?.requestsPerSec ?? null;
}

export function peakRssBytes(variant: VariantResult | undefined): number | null {
  return variant?.throughput?.memory?.peakRssBytes ?? null;
}

function goal(
  id: string,
  description: string,
  value: number | null,
  comparison: Goal['comparison'],
  target: number,
): Goal {
  const met = value === null ? null : comparison === '<=' ? value <= target : value >= target;
  return {
    id,
    description,
    ratio: value,
    comparison,
    target,
    status: met === null ? 'not measured' : met ? 'met' : 'missed',
  };
}

/** The goals, each a ratio of two numbers measured in this run. */
export function evaluateGoals(result: BenchResult): Goal[] {
  const v = (name: VariantName) => variantIn(result, name);
  const goals: Goal[] = [
    goal(
      'image-go-native',
      'go-native compressed image vs go-blackbox',
      ratio(compressedBytes(v('go-native')), compressedBytes(v(BASELINE))),
      '<=',
      0.1,
    ),
    goal(
      'cold-start-go-native',
      'go-native cached cold start (median) vs go-blackbox',
      ratio(coldCachedMedianMs(v('go-native')), coldCachedMedianMs(v(BASELINE))),
      '<=',
      0.8,
    ),
  ];
  for (const name of ['ts-native', 'go-native', 'go-blackbox', 'go-actionloop'] as const) {
    const floor = v(name)?.floors.coldStart;
    if (floor === undefined) continue;
    goals.push(
      goal(
        `cold-start-floor-${name}`,
        `${name} cached cold start (median) vs ${floor}`,
        ratio(coldCachedMedianMs(v(name)), coldCachedMedianMs(v(floor))),
        '<=',
        1.15,
      ),
    );
  }
  for (const name of ['go-native', 'go-actionloop'] as const) {
    goals.push(
      goal(
        `throughput-${name}`,
        `${name} req/s at 1 connection vs go-blackbox`,
        ratio(requestsPerSec(v(name), 1), requestsPerSec(v(BASELINE), 1)),
        '>=',
        10,
      ),
    );
  }
  const floorPairs = [
    ['ts-native', 'floor-node'],
    ['go-native', 'floor-go'],
  ] as const;
  for (const [name, floor] of floorPairs) {
    for (const connections of result.options.connections) {
      goals.push(
        goal(
          `throughput-floor-${name}-c${connections}`,
          `${name} req/s at ${connections} connection${connections === 1 ? '' : 's'} vs ${floor}`,
          ratio(requestsPerSec(v(name), connections), requestsPerSec(v(floor), connections)),
          '>=',
          0.9,
        ),
      );
    }
  }
  return goals;
}
