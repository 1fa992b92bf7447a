export const DASH = '—';

export function ms(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? DASH : `${value.toFixed(digits)} ms`;
}

/** Decimal megabytes (10^6 bytes), as `docker image ls` counts them; kB below 0.1 MB. */
export function megabytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return DASH;
  if (Math.abs(bytes) < 100_000) return `${(bytes / 1e3).toFixed(1)} kB`;
  const mb = bytes / 1e6;
  return `${mb < 10 ? mb.toFixed(2) : mb.toFixed(1)} MB`;
}

export function count(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return DASH;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function times(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 100
    ? `${value.toFixed(0)}×`
    : value >= 10
      ? `${value.toFixed(1)}×`
      : `${value.toFixed(2)}×`;
}

export function table(header: string[], rows: string[][], alignRightFrom = 1): string {
  const align = header.map((_, i) => (i >= alignRightFrom ? '---:' : '---'));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** A ratio with its 95 % interval: `0.93 [0.88, 0.97]`. */
export function ratioWithInterval(
  median: number | null,
  interval: { low: number; high: number } | null,
  digits = 3,
): string {
  if (median === null) return DASH;
  if (interval === null || interval.low === interval.high) return median.toFixed(digits);
  return `${median.toFixed(digits)} [${interval.low.toFixed(digits)}, ${interval.high.toFixed(digits)}]`;
}

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? DASH : `${value.toFixed(digits)} %`;
}
