import type { Writable } from 'node:stream';
import { SENTINEL } from './messages.js';

/** Where activation logs go: the process's own streams in production, anything writable in tests. */
export interface LogStreams {
  stdout: Writable;
  stderr: Writable;
}

const endsWithNewline = Symbol.for('owkit.endsWithNewline');
type TrackedStream = Writable & { [endsWithNewline]?: boolean };
type WriteFn = Writable['write'];

/**
 * Remembers whether the last chunk written to `stream` ended a line, so the sentinel can always
 * stand on a line of its own. Patching `write` is the only way to see what handler code prints
 * through console.log or process.stdout; it is done once per stream.
 */
export function trackLineEnds(stream: Writable): void {
  const tracked = stream as TrackedStream;
  if (tracked[endsWithNewline] !== undefined) return;
  tracked[endsWithNewline] = true;
  const write = stream.write as (...args: unknown[]) => boolean;
  tracked.write = function trackedWrite(this: Writable, ...args: unknown[]): boolean {
    const chunk = args[0];
    if (typeof chunk === 'string') {
      if (chunk.length > 0) tracked[endsWithNewline] = chunk.endsWith('\n');
    } else if (chunk instanceof Uint8Array && chunk.length > 0) {
      tracked[endsWithNewline] = chunk[chunk.length - 1] === 0x0a;
    }
    return write.apply(this, args);
  } as WriteFn;
}

const lineAndSentinel = `\n${SENTINEL}\n`;
const sentinelLine = `${SENTINEL}\n`;

/** Ends one activation's logs: the sentinel on its own line, on stdout and on stderr. */
export function writeSentinels(streams: LogStreams): void {
  writeSentinel(streams.stdout);
  writeSentinel(streams.stderr);
}

function writeSentinel(stream: Writable): void {
  const tracked = stream as TrackedStream;
  const atLineStart = tracked[endsWithNewline] ?? true;
  stream.write(atLineStart ? sentinelLine : lineAndSentinel);
}
