/**
 * `pnpm bench compare A.json B.json`: two runs side by side, figure by figure, with whether
 * their 95 % intervals overlap. A goal whose verdict changed while the intervals do not overlap
 * is a change the noise cannot explain: the command then exits 1 (a regression gate).
 */
import { readFile } from 'node:fs/promises';
import { BenchError } from './errors.js';
import { variantIn } from './figures.js';
import { throughputByRound } from './goals.js';
import type { BenchResult, PairedRatio } from './result.js';
import { type MedianInterval, median, medianInterval } from './stats.js';
import type { VariantName } from './variants.js';

export interface Figure {
  id: string;
  description: string;
  a: number | null;
  b: number | null;
  aInterval: { low: number; high: number } | null;
  bInterval: { low: number; high: number } | null;
  /** b / a. */
  ratio: number | null;
  /** null when either side has no interval. */
  overlap: boolean | null;
  aVerdict?: string;
  bVerdict?: string;
  /** A goal whose verdict differs and whose intervals do not overlap. */
  changed: boolean;
}

export async function readResult(path: string): Promise<BenchResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BenchError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const result = JSON.parse(text) as BenchResult;
  if (result.schema !== 'owkit-bench/4') {
    throw new BenchError(
      `${path} is a ${String(result.schema)} result; compare reads owkit-bench/4 (runs of this version)`,
    );
  }
  return result;
}

export function overlaps(
  a: { low: number; high: number } | null,
  b: { low: number; high: number } | null,
): boolean | null {
  if (a === null || b === null) return null;
  return a.low <= b.high && b.low <= a.high;
}

function figure(
  id: string,
  description: string,
  a: number | null,
  b: number | null,
  aInterval: MedianInterval | { low: number; high: number } | null,
  bInterval: MedianInterval | { low: number; high: number } | null,
): Figure {
  return {
    id,
    description,
    a,
    b,
    aInterval: aInterval === null ? null : { low: aInterval.low, high: aInterval.high },
    bInterval: bInterval === null ? null : { low: bInterval.low, high: bInterval.high },
    ratio: a === null || b === null || a === 0 ? null : b / a,
    overlap: overlaps(aInterval, bInterval),
    changed: false,
  };
}

function ofSamples(values: number[]): { value: number | null; interval: MedianInterval | null } {
  if (values.length === 0) return { value: null, interval: null };
  return { value: median(values), interval: medianInterval(values) };
}

function pairedFigures(a: readonly PairedRatio[], b: readonly PairedRatio[]): Figure[] {
  const ids = [...new Set([...a.map((r) => r.id), ...b.map((r) => r.id)])];
  return ids.map((id) => {
    const x = a.find((r) => r.id === id);
    const y = b.find((r) => r.id === id);
    return figure(
      id,
      (x ?? y)?.description ?? id,
      x?.median ?? null,
      y?.median ?? null,
      x?.interval ?? null,
      y?.interval ?? null,
    );
  });
}

/** Every figure both runs can be compared on. */
export function compareRuns(a: BenchResult, b: BenchResult): Figure[] {
  const goals = pairedFigures(a.goals, b.goals).map((f) => {
    const aVerdict = a.goals.find((g) => g.id === f.id)?.verdict ?? 'absent';
    const bVerdict = b.goals.find((g) => g.id === f.id)?.verdict ?? 'absent';
    const changed =
      aVerdict !== bVerdict &&
      aVerdict !== 'absent' &&
      bVerdict !== 'absent' &&
      aVerdict !== 'not measured' &&
      bVerdict !== 'not measured' &&
      f.overlap === false;
    return { ...f, aVerdict, bVerdict, changed };
  });
  const figures = [...goals, ...pairedFigures(a.comparisons, b.comparisons)];
  const names = [...new Set([...a.variants, ...b.variants].map((v) => v.name))] as VariantName[];
  const connections = [...new Set([...a.options.connections, ...b.options.connections])];
  for (const name of names) {
    const coldOf = (r: BenchResult) =>
      ofSamples((variantIn(r, name)?.coldStartCached?.samples ?? []).map((s) => s.totalMs));
    const ca = coldOf(a);
    const cb = coldOf(b);
    if (ca.value !== null || cb.value !== null) {
      figures.push(
        figure(
          `${name}-cold-cached-ms`,
          `${name} cached cold start, ms`,
          ca.value,
          cb.value,
          ca.interval,
          cb.interval,
        ),
      );
    }
    for (const c of connections) {
      const rpsOf = (r: BenchResult) => ofSamples([...throughputByRound(r, name, c).values()]);
      const ra = rpsOf(a);
      const rb = rpsOf(b);
      if (ra.value === null && rb.value === null) continue;
      figures.push(
        figure(
          `${name}-rps-c${c}`,
          `${name} req/s at ${c} conn.`,
          ra.value,
          rb.value,
          ra.interval,
          rb.interval,
        ),
      );
    }
    const size = (r: BenchResult) => variantIn(r, name)?.imageFacts?.compressedImageBytes ?? null;
    const sa = size(a);
    const sb = size(b);
    if (sa !== null || sb !== null) {
      const exact = (v: number | null) => (v === null ? null : { low: v, high: v });
      figures.push(
        figure(
          `${name}-compressed-bytes`,
          `${name} compressed image, bytes`,
          sa,
          sb,
          exact(sa),
          exact(sb),
        ),
      );
    }
  }
  return figures;
}

const num = (v: number | null) =>
  v === null
    ? '—'
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(3);
const withInterval = (v: number | null, i: { low: number; high: number } | null) =>
  v === null
    ? '—'
    : i === null || i.low === i.high
      ? num(v)
      : `${num(v)} [${num(i.low)}, ${num(i.high)}]`;

export function renderComparison(a: string, b: string, figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.description,
    withInterval(f.a, f.aInterval),
    withInterval(f.b, f.bInterval),
    f.ratio === null ? '—' : `${f.ratio.toFixed(3)}×`,
    f.overlap === null ? '—' : f.overlap ? 'yes' : 'NO',
    f.aVerdict === undefined ? '' : `${f.aVerdict} → ${f.bVerdict}${f.changed ? '  CHANGED' : ''}`,
  ]);
  const header = ['figure', 'A', 'B', 'B / A', 'overlap', 'verdict'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const lines = all.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  '),
  );
  const changed = figures.filter((f) => f.changed);
  return `A: ${a}\nB: ${b}\n(median [95 % interval]; overlap: whether the two intervals share any value)\n\n${lines.join('\n')}\n\n${
    changed.length === 0
      ? 'no goal changed verdict with non-overlapping intervals'
      : `${changed.length} goal(s) changed verdict with non-overlapping intervals: ${changed.map((f) => f.id).join(', ')}`
  }\n`;
}
