import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { closeGracefully, createHttpServer, MESSAGES } from '@owkit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Handler } from '../src/handler.js';
import { createApp } from '../src/server.js';
import { captureLogs, type Listening, listen, runBody } from '../src/testing.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await (cleanups.pop() as () => unknown)();
});

/** Timeouts scaled down from the protocol's 60/60/65 s so that each trigger takes well under 2 s. */
const TIMEOUTS = { headersMs: 300, bodyIdleMs: 300, keepAliveMs: 1_500, drainMs: 300 };

async function startServer(
  handler: Handler = () => ({ ok: true }),
  bodyLimitBytes?: number,
): Promise<Listening> {
  const app = createApp(handler, { logs: captureLogs(), env: {} });
  const options = {
    timeouts: TIMEOUTS,
    ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
  };
  const listening = await listen(createHttpServer(app, options));
  cleanups.push(() => listening.close());
  return listening;
}

interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** Milliseconds from the first write until the server closed the connection. */
  closedAfterMs: number;
  /** Milliseconds from the first write until the first byte of the answer. */
  answeredAfterMs: number | undefined;
}

/** Writes `parts` on a raw socket and collects what comes back until the server closes it. */
function exchange(port: number, parts: string[], keepWriting?: (socket: Socket) => void) {
  return new Promise<RawExchange>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let text = '';
    let answeredAfterMs: number | undefined;
    const started = Date.now();
    socket.on('connect', () => {
      for (const part of parts) socket.write(part);
      keepWriting?.(socket);
    });
    socket.on('data', (chunk) => {
      answeredAfterMs ??= Date.now() - started;
      text += chunk.toString();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server closed is how a refused upload may end; the answer counts.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () =>
      resolve({ text, closedAfterMs: Date.now() - started, answeredAfterMs }),
    );
  });
}

function jsonBodyOf(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

describe('connection timeouts', () => {
  it('answers a head that never ends with a JSON 408 and closes', async () => {
    const server = await startServer();
    const result = await exchange(server.port, ['POST /run HTTP/1.1\r\nHost: x\r\n']);
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.text).toContain('Content-Type: application/json');
    expect(jsonBodyOf(result.text)).toEqual({ error: MESSAGES.requestTimeout });
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.headersMs + 1_500);
  });

  it('closes a connection that never sends a byte', async () => {
    const server = await startServer();
    const result = await exchange(server.port, []);
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.headersMs + 1_500);
  });

  it('closes a body that stops moving, and keeps serving', async () => {
    const server = await startServer();
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n';
    const result = await exchange(server.port, [head, '{"value":']);
    expect(result.text).toBe('');
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.bodyIdleMs - 50);
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.bodyIdleMs + 1_500);
    const next = await fetch(`${server.url}/run`, { method: 'POST', body: '{}' });
    expect(next.status).toBe(200);
  });

  it('closes a request whose declared body never starts', async () => {
    const server = await startServer();
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n';
    const result = await exchange(server.port, [head]);
    expect(result.text).toBe('');
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUTS.bodyIdleMs - 50);
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.bodyIdleMs + 1_500);
  });

  it('keeps a body that trickles in under the idle limit', async () => {
    const server = await startServer((params) => params);
    const body = JSON.stringify(runBody({ text: 'x'.repeat(20) }));
    const head = `POST /run HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`;
    // Ten pieces 100 ms apart: a second in all, past the idle limit, never a pause as long.
    const result = await exchange(server.port, [head], (socket) => {
      let sent = 0;
      const piece = Math.ceil(body.length / 10);
      const timer = setInterval(() => {
        socket.write(body.slice(sent, sent + piece));
        sent += piece;
        if (sent >= body.length) clearInterval(timer);
      }, 100);
      cleanups.push(() => clearInterval(timer));
    });
    expect(result.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(jsonBodyOf(result.text)).toEqual({ text: 'x'.repeat(20) });
  });

  it('closes an idle keep-alive connection after its timeout, not before', async () => {
    const server = await startServer();
    const request = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
    const result = await exchange(server.port, [request]);
    expect(result.text).toMatch(/^HTTP\/1\.1 200 /);
    const idleMs = result.closedAfterMs - (result.answeredAfterMs ?? 0);
    expect(idleMs).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveMs - 100);
    expect(idleMs).toBeLessThan(TIMEOUTS.keepAliveMs + 1_500);
  });

  it('never cuts an activation that runs longer than every timeout', async () => {
    const server = await startServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return { done: true };
    });
    const res = await fetch(`${server.url}/run`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
  });
});

describe('bodies over the limit', () => {
  const LIMIT = 1_024;

  it('answers 413 at once to a declared length of 10^11, before any body byte', async () => {
    const server = await startServer(undefined, LIMIT);
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n';
    const result = await exchange(server.port, [head]);
    expect(result.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.text).toMatch(/Content-Length: \d+/);
    expect(jsonBodyOf(result.text)).toEqual({ error: MESSAGES.bodyTooLarge });
    expect(result.answeredAfterMs).toBeLessThan(1_000);
    // Then a bounded drain: the connection does not stay open for the declared bytes.
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.drainMs + 1_500);
  });

  it('lets a client that keeps sending read the 413, then closes', async () => {
    const server = await startServer(undefined, LIMIT);
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n';
    const result = await exchange(server.port, [head], (socket) => {
      const piece = 'x'.repeat(65_536);
      const pump = () => {
        while (!socket.destroyed && socket.write(piece)) {}
      };
      socket.on('drain', pump);
      pump();
    });
    expect(result.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.closedAfterMs).toBeLessThan(TIMEOUTS.drainMs + 2_000);
  });

  it('answers 413 to a chunked body as soon as it passes the limit', async () => {
    const server = await startServer(undefined, LIMIT);
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `${(LIMIT + 1).toString(16)}\r\n${'x'.repeat(LIMIT + 1)}\r\n`;
    // The body never ends: the answer must not wait for its end.
    const result = await exchange(server.port, [head, chunk]);
    expect(result.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(result.answeredAfterMs).toBeLessThan(1_000);
  });

  it('answers a chunk size far past the limit by what arrives, never by what it declares', async () => {
    const server = await startServer(undefined, LIMIT);
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    // A huge chunk that stalls is a stalled body: closed after the idle time, nothing held.
    const stalled = await exchange(server.port, [head, 'fffffffffff\r\nxx']);
    expect(stalled.text).toBe('');
    expect(stalled.closedAfterMs).toBeLessThan(TIMEOUTS.bodyIdleMs + 1_500);
    // One whose bytes pass the limit gets the 413 then.
    const flowing = await exchange(server.port, [head, `fffffffffff\r\n${'x'.repeat(LIMIT + 1)}`]);
    expect(flowing.text).toMatch(/^HTTP\/1\.1 413 /);
    const next = await fetch(`${server.url}/run`, { method: 'POST', body: '{}' });
    expect(next.status).toBe(200);
  });

  it('never reserves memory from a declared length: stalled 64 MiB heads cost nothing', async () => {
    const server = await startServer();
    const before = process.memoryUsage().arrayBuffers;
    const sockets = Array.from({ length: 6 }, () => {
      const socket = connect(server.port, '127.0.0.1');
      cleanups.push(() => socket.destroy());
      socket.write(
        `POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{"v`,
      );
      return socket;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    for (const socket of sockets) socket.destroy();
  });

  it('serves the request after a Content-Length shorter than the bytes sent', async () => {
    const server = await startServer((params) => params);
    const first = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{"value":{}}';
    const result = await exchange(server.port, [`${first}GARBAGE\r\n\r\n`]);
    expect(result.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(result.text).toContain('HTTP/1.1 400 ');
  });
});

describe('Expect', () => {
  it('answers an expectation other than 100-continue with a JSON 417 and a length', async () => {
    const server = await startServer();
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}';
    const result = await exchange(server.port, [head]);
    expect(result.text).toMatch(/^HTTP\/1\.1 417 /);
    expect(result.text).not.toMatch(/Transfer-Encoding/i);
    expect(result.text).toMatch(/Content-Length: \d+/);
    expect(jsonBodyOf(result.text)).toEqual({ error: MESSAGES.expectationFailed });
  });

  it('still serves Expect: 100-continue', async () => {
    const server = await startServer((params) => params);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/run`, {
        method: 'POST',
        headers: { expect: '100-continue', 'content-length': 18 },
      });
      req.on('continue', () => req.end('{"value":{"a":1}}'.padEnd(18)));
      req.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    expect(res).toEqual({ status: 200, body: '{"a":1}' });
  });
});

describe('shutdown', () => {
  it('closes idle keep-alive connections and finishes in-flight ones promptly', async () => {
    const app = createApp(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { done: true };
      },
      { logs: captureLogs(), env: {} },
    );
    const server = createHttpServer(app, { timeouts: { keepAliveMs: 60_000 } });
    const listening = await listen(server);
    cleanups.push(() => listening.close());
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    cleanups.push(() => agent.destroy());
    const post = () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${listening.url}/run`, { method: 'POST', agent });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end('{}');
      });
    // Two connections: one goes idle now, the other is mid-activation when shutdown starts.
    expect(await Promise.all([post(), post()])).toEqual([200, 200]);
    const inFlight = post();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const shutdown = closeGracefully(server, app);
    expect(await inFlight).toBe(200);
    const answeredAt = Date.now();
    await shutdown;
    expect(Date.now() - answeredAt).toBeLessThan(1_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

/** The built runtime as an action runs it, in a process of its own. */
async function startFixture(): Promise<{ child: ChildProcess; url: string }> {
  const fixture = fileURLToPath(new URL('./fixtures/serve.mjs', import.meta.url));
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the fixture exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

describe('serve, as a process', () => {
  it('exits 0 within a second of the last answer on SIGTERM, keep-alive clients included', async () => {
    const { child, url } = await startFixture();
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    const post = (body: unknown) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${url}/run`, { method: 'POST', agent });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    expect(await post(runBody({}))).toBe(200);
    const slow = post(runBody({ sleepMs: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await slow).toBe(200);
    const answeredAt = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - answeredAt).toBeLessThan(1_000);
  });

  it('puts /init env where libc reads it (TZ), and per-activation variables in process.env', async () => {
    const { url } = await startFixture();
    const init = await fetch(`${url}/init`, {
      method: 'POST',
      body: JSON.stringify({ value: { env: { TZ: 'Asia/Tokyo' } } }),
    });
    expect(init.status).toBe(200);
    const body = runBody({});
    const res = await fetch(`${url}/run`, { method: 'POST', body: JSON.stringify(body) });
    expect(await res.json()).toEqual({
      hour: 9,
      tz: 'Asia/Tokyo',
      activationId: body.activation_id,
    });
  });
});

describe('broken bodies', () => {
  it('answers a chunk size past 64 bits with a JSON 400 at once and keeps serving', async () => {
    const server = await startServer();
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const result = await exchange(server.port, [head, 'fffffffffffffffffffffffff\r\n{"value":{}}']);
    expect(result.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(result.closedAfterMs).toBeLessThan(1_000);
    const next = await fetch(`${server.url}/run`, { method: 'POST', body: '{}' });
    expect(next.status).toBe(200);
  });

  it('closes at once when the client half-closes in the middle of a body', async () => {
    const server = await startServer();
    const head = 'POST /run HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n';
    const result = await exchange(server.port, [head, '{"value":{}}'], (socket) => socket.end());
    expect(result.text).not.toMatch(/^HTTP\/1\.1 2/);
    expect(result.closedAfterMs).toBeLessThan(1_000);
  });
});
