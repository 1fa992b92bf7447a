import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchError } from './errors.js';

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
