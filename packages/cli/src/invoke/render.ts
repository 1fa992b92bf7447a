import type { InvokeReport } from './invoke.js';

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The report as `pnpm invoke` prints it: result, that activation's logs, then timings. */
export function renderReport(report: InvokeReport): string {
  const out: string[] = [];
  const first = report.activations[0];
  const where = `${report.name}${report.style === undefined ? '' : ` (${report.style})`}`;
  if (first === undefined) {
    out.push(`/init failed with status ${report.init.status}:`, pretty(report.init.body));
  } else {
    const status = first.status === undefined ? 'no answer' : `status ${first.status}`;
    out.push(
      `result of ${where}, activation ${first.activationId} (${status}):`,
      pretty(first.result),
    );
  }
  out.push('', 'logs:');
  if (report.logs.length === 0) out.push('  (none)');
  for (const line of report.logs) out.push(`  ${line.time} ${line.stream}: ${line.text}`);
  if (!report.logsComplete)
    out.push('  (a sentinel line never arrived: these logs may be cut short)');

  const { timings } = report;
  out.push('', `timings (${report.mode}: ${report.command}):`);
  out.push(`  start → listening  ${ms(timings.startMs)}`);
  out.push(`  /init              ${ms(timings.initMs)}`);
  if (timings.runMs !== undefined) out.push(`  /run               ${ms(timings.runMs)}`);
  if (timings.warmRunMs.length > 0) {
    const sorted = [...timings.warmRunMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    out.push(
      `  warm /run × ${timings.warmRunMs.length}       median ${ms(median)}, min ${ms(sorted[0] as number)}, max ${ms(sorted.at(-1) as number)}`,
      `    ${timings.warmRunMs.map((value) => value.toFixed(1)).join(' ')} ms`,
    );
  }
  const failedWarm = report.activations.slice(1).filter((a) => !a.ok);
  if (failedWarm.length > 0) {
    out.push('', `${failedWarm.length} warm activation(s) failed; the first answered:`);
    out.push(pretty((failedWarm[0] as { result: unknown }).result));
  }
  return `${out.join('\n')}\n`;
}

/** Why the command exits non-zero, in one line; undefined when everything succeeded. */
export function failureLine(report: InvokeReport): string | undefined {
  if (report.ok) return undefined;
  const failed = report.activations.find((a) => !a.ok);
  if (failed === undefined) {
    return `/init answered ${report.init.status} ${compact(report.init.body)}`;
  }
  const status = failed.status === undefined ? 'no answer' : `status ${failed.status}`;
  return `the activation failed (${status}): ${compact(failed.result)}`;
}

function pretty(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
