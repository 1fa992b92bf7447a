import { createServer } from 'node:net';
import { waitForPort } from '@owkit/testkit/ports';

export { freePort } from '@owkit/testkit/ports';

/**
 * Whether something already holds `port`. A container on the host network binds 0.0.0.0, so the
 * check binds the same; a server found there would otherwise answer in the action's place.
 */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true);
      else reject(error);
    });
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      server.close(() => resolve(false));
    });
  });
}

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
