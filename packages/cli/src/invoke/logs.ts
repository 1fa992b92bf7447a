import { setTimeout as delay } from 'node:timers/promises';
import type { OutputLine, OutputStream } from '@owkit/host/process';
import { SENTINEL } from '@owkit/protocol';

export type Stream = OutputStream;

/** One line of an action's logs; its ISO 8601 time is Docker's clock for a container, arrival for a process. */
export type LogLine = OutputLine;

/** Whether a line is the sentinel; the invoker drops any line that contains it. */
export function isSentinel(line: LogLine): boolean {
  return line.text.includes(SENTINEL);
}

export function countSentinels(lines: readonly LogLine[], stream: Stream): number {
  return lines.filter((line) => line.stream === stream && isSentinel(line)).length;
}

/**
 * The logs of activation `index` (0-based): on each stream, the lines after that stream's
 * `index`-th sentinel and before the next, merged in time order. Output before the first
 * sentinel (start-up, /init) belongs to the first activation, as on the platform.
 */
export function activationLogs(lines: readonly LogLine[], index: number): LogLine[] {
  const picked: LogLine[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let seen = 0;
    for (const line of lines) {
      if (line.stream !== stream) continue;
      if (isSentinel(line)) {
        seen += 1;
        if (seen > index) break;
        continue;
      }
      if (seen === index) picked.push(line);
    }
  }
  // Stable: lines of one stream keep their order when two share a timestamp.
  return picked.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Splits text into lines stamped `time`; a final line without its newline is kept. */
export function toLines(text: string, stream: Stream, time: string): LogLine[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.map((part) => ({ time, stream, text: part }));
}

/** `docker logs --timestamps` output: each line starts with an RFC 3339 time and a space. */
export function parseDockerLogs(text: string, stream: Stream): LogLine[] {
  return toLines(text, stream, '').map((line) => {
    const space = line.text.indexOf(' ');
    return space > 0
      ? { time: line.text.slice(0, space), stream, text: line.text.slice(space + 1) }
      : line;
  });
}

export function lastLines(lines: readonly LogLine[], count: number): string {
  const visible = lines.filter((line) => !isSentinel(line)).slice(-count);
  return visible.map((line) => `  ${line.stream}: ${line.text}`).join('\n');
}

/**
 * Docker writes logs asynchronously: reads them until `activations` sentinels have arrived on
 * both streams, `settleMs` has passed, or `signal` aborts; `complete` says which.
 */
export async function settledLogs(
  read: () => Promise<LogLine[]>,
  activations: number,
  settleMs: number,
  signal?: AbortSignal,
): Promise<{ lines: LogLine[]; complete: boolean }> {
  const deadline = performance.now() + settleMs;
  for (;;) {
    const lines = await read();
    const complete =
      countSentinels(lines, 'stdout') >= activations &&
      countSentinels(lines, 'stderr') >= activations;
    if (complete || performance.now() >= deadline || signal?.aborted) return { lines, complete };
    await delay(25);
  }
}
