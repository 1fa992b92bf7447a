export interface Summary {
  count: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  return [...samples].sort((a, b) => a - b);
}

/** The middle sample; the mean of the two middle ones for an even count. */
export function median(samples: readonly number[]): number {
  const values = sorted(samples);
  const middle = values.length >> 1;
  return values.length % 2 === 1
    ? (values[middle] as number)
    : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}

/**
 * Nearest-rank percentile: the smallest sample with at least `p`% of the samples at or below
 * it. Always one of the samples, so p90 of five runs is the slowest one, never an invention.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const values = sorted(samples);
  const rank = Math.ceil((p / 100) * values.length);
  return values[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  const values = sorted(samples);
  return {
    count: values.length,
    median: median(values),
    p90: percentile(values, 90),
    min: values[0] as number,
    max: values[values.length - 1] as number,
  };
}

/** `a / b`, or null when either side is missing or b is zero (a ratio that cannot be stated). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}
