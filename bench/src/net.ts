import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchError } from './errors.js';

/** A port nothing listens on right now, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new BenchError('no port assigned');
  return address.port;
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Polls until a TCP connection to the port succeeds. The gap is short because this wait is a
 * phase of the cold start being measured: a coarse poll would add its own interval to it.
 * `stillRunning` is asked only twice a second, so a server that died is noticed without the
 * question itself slowing a normal start down.
 */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  stillRunning: () => Promise<boolean> = async () => true,
): Promise<void> {
  const start = performance.now();
  let nextCheck = start + STILL_RUNNING_CHECK_MS;
  while (!(await tryConnect(port))) {
    const now = performance.now();
    if (now > start + timeoutMs) {
      throw new BenchError(`nothing accepted connections on port ${port} within ${timeoutMs} ms`);
    }
    if (now >= nextCheck) {
      if (!(await stillRunning())) {
        throw new BenchError(`the server for port ${port} exited before listening`);
      }
      nextCheck = performance.now() + STILL_RUNNING_CHECK_MS;
    }
    await delay(1);
  }
}

const STILL_RUNNING_CHECK_MS = 500;

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One HTTP request on a fresh connection; the answer's body as text. */
export function httpCall(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        agent: false,
        headers: {
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(body.length) }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new BenchError(`${url} did not answer in time`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls an HTTP URL until it answers with the wanted status. */
export async function waitForHttp(url: string, status: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    try {
      const answer = await httpCall(url, { timeoutMs: 2_000 });
      if (answer.status === status) return;
      last = `status ${answer.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(50);
  }
  throw new BenchError(`${url} did not answer ${status} within ${timeoutMs} ms (${last})`);
}
