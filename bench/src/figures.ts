/** The headline figure of each measure, read from a result (the report and the goals share them). */
import type { BenchResult, VariantResult } from './result.js';
import type { VariantName } from './variants.js';

export function variantIn(result: BenchResult, name: VariantName): VariantResult | undefined {
  return result.variants.find((variant) => variant.name === name);
}

export function coldCachedMedianMs(variant: VariantResult | undefined): number | null {
  return variant?.coldStartCached?.summaryMs?.totalMs.median ?? null;
}

export function coldPulledMedianMs(variant: VariantResult | undefined): number | null {
  return variant?.coldStartPulled?.summaryMs?.pullAndColdStartMs.median ?? null;
}

export function coldPulledOverBaseMedianMs(variant: VariantResult | undefined): number | null {
  return variant?.coldStartPulledOverBase?.summaryMs?.pullAndColdStartMs.median ?? null;
}

export function compressedBytes(variant: VariantResult | undefined): number | null {
  return variant?.imageFacts?.compressedImageBytes ?? null;
}

/** Median req/s over rounds at the connection count; the spawn floor's calls/s stands for its 1 connection. */
export function requestsPerSec(
  variant: VariantResult | undefined,
  connections: number,
): number | null {
  if (variant === undefined) return null;
  if (variant.spawnFloor !== null) return connections === 1 ? variant.spawnFloor.callsPerSec : null;
  const level = variant.throughput?.levels.find((l) => l.connections === connections);
  return level?.requestsPerSec ?? null;
}

/** Median server CPU µs per request over rounds at the connection count. */
export function cpuMicrosPerRequest(
  variant: VariantResult | undefined,
  connections: number,
): number | null {
  const level = variant?.throughput?.levels.find((l) => l.connections === connections);
  return level?.serverCpuMicrosPerRequest ?? null;
}

export function peakRssBytes(variant: VariantResult | undefined): number | null {
  return variant?.throughput?.memory?.peakRssBytes ?? null;
}
