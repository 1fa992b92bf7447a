import { waitForPort } from '@owkit/host/ports';

/**
 * Polls until 127.0.0.1:`port` accepts, as the invoker retries /init on "connection refused".
 * Resolves false at the deadline or once `gaveUp` fires (the container or process exited);
 * rejects with the reason of `signal` (the user's Ctrl-C).
 */
export async function waitUntilAccepting(
  port: number,
  timeoutMs: number,
  gaveUp: AbortSignal,
  signal?: AbortSignal,
): Promise<boolean> {
  const stop = signal === undefined ? gaveUp : AbortSignal.any([gaveUp, signal]);
  try {
    await waitForPort(port, timeoutMs, { signal: stop });
    return true;
  } catch (error) {
    signal?.throwIfAborted();
    if (gaveUp.aborted) return false;
    // waitForPort fails only at its deadline (PortTimeoutError) or on an abort.
    if ((error as Error).name === 'PortTimeoutError') return false;
    throw error;
  }
}
