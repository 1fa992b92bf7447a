import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Bodies from this size up are large: the server frees memory around them on purpose. V8 does
 * not know the container's limit and lets a few 64 MiB strings and buffers of garbage pile up
 * before it collects (measured: 440 MiB for one 64 MiB activation), so in a 256 MB container
 * the kernel's OOM killer would come first.
 */
export const LARGE_BODY_BYTES = 8 * 1024 * 1024;

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let collect: Collect | null | undefined;

/**
 * A full garbage collection that also returns freed buffers to the system before it returns
 * (V8 otherwise frees them on a background thread, later). About 40 ms; called only around
 * large bodies.
 */
export function releaseMemory(): void {
  if (collect === undefined) {
    try {
      // The documented way to reach V8's collector from inside a running process.
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    } catch {
      collect = null;
    }
  }
  collect?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
