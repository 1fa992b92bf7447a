import type { Server } from 'node:http';
import type { ProtocolApp } from './protocol.js';

/** How long in-flight activations may run on after SIGTERM before their connections are cut. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** How often, while shutting down, connections that turned idle are closed. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting, lets in-flight requests finish (up to the grace period), then closes the
 * engine, which kills any children.
 */
export async function closeGracefully(
  server: Server,
  app: ProtocolApp,
  graceMs = SHUTDOWN_GRACE_MS,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A keep-alive connection whose activation finishes after this point turns idle then; it must
  // not hold the exit for its 65 s idle timeout.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([closed, graceOver]);
  clearTimeout(timer);
  clearInterval(sweep);
  server.closeAllConnections();
  await app.close();
}

/**
 * Runs `onSignal` once on SIGTERM or SIGINT. A process running as PID 1 in a container gets no
 * default signal handling from the kernel, so without this `docker stop` waits 10 s and kills.
 */
export function onTerminationSignal(onSignal: (signal: NodeJS.Signals) => void): () => void {
  let fired = false;
  const listener = (signal: NodeJS.Signals) => {
    if (fired) return;
    fired = true;
    onSignal(signal);
  };
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  return () => {
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
  };
}
