import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A port the kernel just handed out and released again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('listen(0) gave no port'))));
    });
  });
}

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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until 127.0.0.1:`port` accepts, as the invoker retries /init on "connection refused".
 * Resolves false at the deadline; `gaveUp` stops it early (the container or process exited).
 */
export async function waitUntilAccepting(
  port: number,
  timeoutMs: number,
  gaveUp: () => boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (gaveUp()) return false;
    if (await accepts(port)) return true;
    if (performance.now() >= deadline) return false;
    await delay(20);
  }
}
