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

/** P(X <= k) for X ~ Binomial(n, 1/2), exactly (n is a count of rounds, small). */
export function binomialHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

export interface MedianInterval {
  low: number;
  high: number;
  /** The probability that an interval built this way holds the true median: at least `wanted`, or less when there are too few samples for it. */
  coverage: number;
  /** 1-based ranks of `low` and `high` among the sorted samples. */
  lowRank: number;
  highRank: number;
}

/**
 * Distribution-free interval for the median: the k-th smallest and k-th largest samples, with
 * k the largest rank whose chance of leaving the median outside is at most (1 - wanted) / 2 on
 * each side. It assumes only that the samples are independent draws from one distribution — no
 * bell curve — and it is exact (a binomial sum, no resampling). With too few samples for the
 * wanted coverage (fewer than 6 at 95 %), it is the whole range with the coverage it really has.
 */
export function medianInterval(samples: readonly number[], wanted = 0.95): MedianInterval {
  const values = sorted(samples);
  const n = values.length;
  const tail = (1 - wanted) / 2;
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && binomialHalfCdf(n, k) <= tail) k++;
  const coverage = 1 - 2 * binomialHalfCdf(n, k - 1);
  return {
    low: values[k - 1] as number,
    high: values[n - k] as number,
    coverage,
    lowRank: k,
    highRank: n - k + 1,
  };
}
