import {
  coldCachedMedianMs,
  coldPulledMedianMs,
  compressedBytes,
  peakRssBytes,
  requestsPerSec,
} from '../compare.js';
import type { BenchResult } from '../result.js';
import { count, DASH, megabytes, ms } from './format.js';

function pad(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) =>
    Math.max(...rows.map((row) => (row[i] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

/** The plain-text table printed at the end of a run. */
export function renderSummary(result: BenchResult): string {
  const header = ['variant', 'status', 'image (gz)', 'cold (cached)', 'cold (pulled)'];
  for (const c of result.options.connections) header.push(`req/s c=${c}`);
  header.push('peak RSS');
  const rows = result.variants.map((v) => {
    const row = [
      v.name,
      v.status === 'ok' ? 'ok' : 'FAILED',
      result.runtime === 'docker' ? megabytes(compressedBytes(v)) : DASH,
      ms(coldCachedMedianMs(v)),
      ms(coldPulledMedianMs(v), 0),
    ];
    for (const c of result.options.connections) row.push(count(requestsPerSec(v, c)));
    row.push(megabytes(peakRssBytes(v)));
    return row;
  });
  const goals = result.goals.map(
    (goal) =>
      `  ${goal.status === 'met' ? 'met   ' : goal.status === 'missed' ? 'MISSED' : 'n/a   '} ${goal.description}: ${
        goal.ratio === null ? DASH : goal.ratio.toFixed(3)
      } (target ${goal.comparison} ${goal.target})`,
  );
  return `${pad([header, ...rows])}\n\ngoals:\n${goals.join('\n')}\n`;
}
