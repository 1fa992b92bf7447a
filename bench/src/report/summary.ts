import {
  coldCachedMedianMs,
  coldPulledMedianMs,
  coldPulledOverBaseMedianMs,
  compressedBytes,
  cpuMicrosPerRequest,
  peakRssBytes,
  requestsPerSec,
} from '../figures.js';
import { countVerdicts, processPassView } from '../goals.js';
import type { BenchResult } from '../result.js';
import { count, DASH, megabytes, ms, ratioWithInterval } from './format.js';

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

const VERDICT = {
  met: 'met         ',
  missed: 'MISSED      ',
  inconclusive: 'INCONCLUSIVE',
  'not measured': 'n/a         ',
} as const;

/** One row per variant: sizes, cold starts, req/s and server CPU µs per request, peak RSS. */
function variantTable(result: BenchResult): string {
  const header = ['variant', 'status', 'image (gz)', 'cold (cached)', 'pulled/base', 'pulled/none'];
  for (const c of result.options.connections) header.push(`req/s c=${c}`, `µs/req c=${c}`);
  header.push('peak RSS');
  const rows = result.variants.map((v) => {
    const row = [
      v.name,
      v.status === 'ok' ? 'ok' : 'FAILED',
      result.runtime === 'docker' ? megabytes(compressedBytes(v)) : DASH,
      ms(coldCachedMedianMs(v)),
      ms(coldPulledOverBaseMedianMs(v), 0),
      ms(coldPulledMedianMs(v), 0),
    ];
    for (const c of result.options.connections) {
      row.push(count(requestsPerSec(v, c)), count(cpuMicrosPerRequest(v, c), 1));
    }
    row.push(megabytes(peakRssBytes(v)));
    return row;
  });
  return pad([header, ...rows]);
}

/** The plain-text summary printed at the end of a run. */
export function renderSummary(result: BenchResult): string {
  const pass = processPassView(result);
  const passTable =
    pass === null
      ? ''
      : `\n\nas processes (the process pass, logs to files):\n${variantTable(pass)}`;
  const goals = result.goals.map(
    (goal) =>
      `  ${VERDICT[goal.verdict]} ${goal.description}: ${ratioWithInterval(goal.median, goal.interval)} (target ${goal.comparison} ${goal.target}${goal.verdict === 'inconclusive' ? `; ${goal.verdictReason}` : ''})`,
  );
  const phases = result.phases
    .filter((p) => p.status !== 'measured')
    .map(
      (p) => `  ${p.status === 'skipped' ? 'skipped' : 'FAILED '} ${p.phase}: ${p.reason ?? ''}`,
    );
  const c = countVerdicts(result.goals);
  const noise = [...result.noise, ...(pass?.noise ?? [])];
  const noisy = noise.filter((n) => n.noisy).length;
  const verdictLine =
    c.missed === 0 && c.inconclusive === 0
      ? `all ${c.met} measured goals met`
      : `goals: ${c.met} met, ${c.missed} MISSED, ${c.inconclusive} INCONCLUSIVE${
          result.options.quick
            ? ' (a quick run on a busy machine can miss or leave goals open by noise alone)'
            : ''
        }`;
  return `${variantTable(result)}${passTable}\n\ngoals (median of per-round ratios [95 % interval]):\n${goals.join('\n')}\n${
    phases.length > 0 ? `\nphases not measured:\n${phases.join('\n')}\n` : ''
  }\n${verdictLine}; ${noisy} of ${noise.length} rounds noisy\n`;
}
