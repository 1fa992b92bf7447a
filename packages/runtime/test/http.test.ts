import { request as httpRequest } from 'node:http';
import { DEFAULT_BODY_LIMIT_BYTES, MESSAGES } from '@owkit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server.js';
import { captureLogs, type Listening, listen, request, runBody } from '../src/testing.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with full control over framing: chunked or with a Content-Length. */
function rawPost(
  url: string,
  path: string,
  chunks: Buffer[],
  chunked: boolean,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const req = httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': length },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString(),
        }),
      );
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A JSON /run body of exactly `size` bytes. */
function bodyOfSize(size: number): Buffer {
  const frame = '{"value":{"pad":""}}';
  return Buffer.from(`{"value":{"pad":"${'x'.repeat(size - frame.length)}"}}`);
}

describe('HTTP framing', () => {
  let server: Listening;
  const logs = captureLogs();

  beforeAll(async () => {
    server = await listen(
      createServer((params) => ({ size: JSON.stringify(params).length }), { logs, env: {} }),
    );
  });
  afterAll(() => server.close());

  it('sends JSON with an explicit Content-Length and never chunks', async () => {
    for (const [path, body, method] of [
      ['/run', runBody({ a: 1 }), 'POST'],
      ['/nope', {}, 'POST'],
      ['/run', undefined, 'GET'],
      ['/run', 'not json', 'POST'],
    ] as const) {
      const res = await request(server.url, path, body, method);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
      expect(res.headers['transfer-encoding']).toBeUndefined();
    }
  });

  it('accepts a body of exactly 64 MiB, sent with a Content-Length', async () => {
    const res = await rawPost(server.url, '/run', [bodyOfSize(DEFAULT_BODY_LIMIT_BYTES)], false);
    expect(res.status).toBe(200);
  });

  it('rejects 64 MiB + 1 with 413, with a Content-Length or chunked, and keeps serving', async () => {
    const body = bodyOfSize(DEFAULT_BODY_LIMIT_BYTES + 1);
    const declared = await rawPost(server.url, '/run', [body], false);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: MESSAGES.bodyTooLarge });
    const chunks = [];
    for (let at = 0; at < body.length; at += 1 << 20)
      chunks.push(body.subarray(at, at + (1 << 20)));
    const chunked = await rawPost(server.url, '/run', chunks, true);
    expect(chunked.status).toBe(413);
    expect((await request(server.url, '/run', runBody({ ok: 1 }))).status).toBe(200);
  });

  it('accepts a chunked body under the limit', async () => {
    const body = Buffer.from(JSON.stringify(runBody({ a: 'b' })));
    const res = await rawPost(server.url, '/run', [body.subarray(0, 5), body.subarray(5)], true);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ size: 9 });
  });

  it('answers malformed HTTP with a JSON 400', async () => {
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('NONSENSE\r\n\r\n'));
      let text = '';
      socket.on('data', (c) => {
        text += c.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toContain('Content-Type: application/json');
    expect((await request(server.url, '/run', runBody({}))).status).toBe(200);
  });
});

describe('log sentinels', () => {
  it('writes one pair per /run, each on a line of its own', async () => {
    const logs = captureLogs();
    const server = await listen(
      createServer(
        () => {
          logs.stdout.write('no newline at the end');
          logs.stderr.write('line\n');
          return {};
        },
        { logs, env: {} },
      ),
    );
    try {
      await request(server.url, '/run', runBody({}));
      await request(server.url, '/run', runBody({}));
      await request(server.url, '/run', 'broken');
      await request(server.url, '/init', {});
    } finally {
      await server.close();
    }
    expect(logs.sentinels()).toEqual({ stdout: 3, stderr: 3 });
    expect(logs.stdoutText()).toBe(
      'no newline at the end\nXXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n'.repeat(2) +
        'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n',
    );
    expect(logs.stderrText()).toBe(
      'line\nXXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n'.repeat(2) +
        'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n',
    );
  });
});
