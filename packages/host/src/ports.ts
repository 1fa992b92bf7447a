import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { PortTimeoutError } from './errors.js';

const LOOPBACK = '127.0.0.1';
const RETRY_DELAY_MS = 25;

/** A port that was free a moment ago: the kernel picks it, then it is released for the caller. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('listen(0) returned no TCP address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface WaitForPortOptions {
  /** Gives up early, rejecting with the signal's reason (used to stop waiting on a dead child). */
  signal?: AbortSignal;
  /**
   * The pause between two refused connections (25 ms unless told). A caller that times the wait
   * itself (the bench's cold starts) asks for 1 ms, so the poll adds no interval of its own.
   */
  intervalMs?: number;
}

/** Resolves once 127.0.0.1:`port` accepts a TCP connection; rejects with PortTimeoutError after `timeoutMs`. */
export async function waitForPort(
  port: number,
  timeoutMs = 10_000,
  options: WaitForPortOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const intervalMs = options.intervalMs ?? RETRY_DELAY_MS;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) throw new PortTimeoutError(port, timeoutMs, { cause: lastError });
    try {
      await tryConnect(port, Math.min(remainingMs, 1_000));
      return;
    } catch (error) {
      lastError = error;
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

function tryConnect(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`connect to ${LOOPBACK}:${port} timed out`));
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

export function urlFor(port: number): string {
  return `http://${LOOPBACK}:${port}`;
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
