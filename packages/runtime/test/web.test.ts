import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server.js';
import { captureLogs, initBody, type Listening, listen, request, runBody } from '../src/testing.js';
import { toRequest, toResult, type WebResult, web, webBodyKind } from '../src/web.js';

/** The cases docs/web-actions.md records, in its ```json web-request blocks. */
interface RequestCase {
  rule: string;
  raw: boolean;
  request: { method: string; path: string; query: string; body?: string; bodyBase64?: string };
  params: Record<string, unknown>;
  rebuilt?: { query?: string; body?: string };
}
const doc = readFileSync(new URL('../../../docs/web-actions.md', import.meta.url), 'utf8');
const cases = [...doc.matchAll(/```json web-request\n([\s\S]*?)```/g)].map(
  (block) => JSON.parse(block[1] as string) as RequestCase,
);

describe('web(): the request rebuilt from the params of docs/web-actions.md', () => {
  it('reads every documented case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases.map((c) => [c.rule, c] as const))('%s', async (_rule, c) => {
    const request = toRequest(c.params);
    const url = new URL(request.url);
    expect(request.method).toBe(c.request.method);
    expect(url.pathname).toBe(c.request.path === '' ? '/' : c.request.path);
    expect(url.search.replace(/^\?/, '')).toBe(c.rebuilt?.query ?? c.request.query);
    const expected =
      c.rebuilt?.body !== undefined
        ? Buffer.from(c.rebuilt.body)
        : c.request.bodyBase64 !== undefined
          ? Buffer.from(c.request.bodyBase64, 'base64')
          : Buffer.from(c.request.body ?? '');
    const body = Buffer.from(await request.arrayBuffer());
    expect(body.equals(expected)).toBe(true);
    const headers = Object.fromEntries(request.headers);
    expect(headers).toStrictEqual(c.params.__ow_headers);
  });
});

describe('webBodyKind', () => {
  it('classifies media types as the controller does', () => {
    expect(webBodyKind('application/json; charset=utf-8')).toBe('json');
    expect(webBodyKind('application/problem+json')).toBe('json');
    expect(webBodyKind('Text/HTML')).toBe('text');
    expect(webBodyKind('application/x-www-form-urlencoded')).toBe('text');
    expect(webBodyKind('image/svg+xml')).toBe('binary');
    expect(webBodyKind('multipart/form-data; boundary=x')).toBe('binary');
    expect(webBodyKind(undefined)).toBe('binary');
  });
});

describe('web(): the answer collected into a result', () => {
  it('sends text as text, binary and JSON as base64, cookies as a list', async () => {
    const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8' });
    headers.append('Set-Cookie', 'a=1');
    headers.append('Set-Cookie', 'b=2; HttpOnly');
    expect(await toResult(new Response('héllo', { status: 201, headers }))).toStrictEqual({
      statusCode: 201,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'set-cookie': ['a=1', 'b=2; HttpOnly'],
      },
      body: 'héllo',
    });
    const bytes = new Uint8Array([0, 1, 255]);
    expect(await toResult(new Response(bytes))).toStrictEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: 'AAH/',
    });
    const json = await toResult(Response.json(1234));
    expect(json.body).toBe(Buffer.from('1234').toString('base64'));
    expect(await toResult(new Response('x'), 'HEAD')).toMatchObject({ body: '' });
  });

  it('collects a streamed body', async () => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const part of ['one ', 'two ', 'three']) {
          controller.enqueue(new TextEncoder().encode(part));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        controller.close();
      },
    });
    const result = await toResult(
      new Response(body, { headers: { 'content-type': 'text/plain' } }),
    );
    expect(result.body).toBe('one two three');
  });
});

/** A Hono app with the shapes a web app has, served through web() by the real runtime server. */
function honoApp(): Hono {
  const app = new Hono();
  app.get('/hello', (c) => c.text(`hello ${c.req.query('name') ?? 'world'}`));
  app.post('/json', async (c) => c.json({ got: await c.req.json(), q: c.req.query('q') ?? null }));
  app.post('/form', async (c) => {
    const form = await c.req.parseBody();
    return c.html(`<p>${String(form.text)}</p>`);
  });
  app.get('/cookies', (c) => {
    setCookie(c, 'session', 'abc', { httpOnly: true, path: '/' });
    setCookie(c, 'theme', 'dark');
    return c.text(`you sent ${c.req.header('Cookie') ?? 'no cookie'}`);
  });
  app.get('/redirect', (c) => c.redirect('/hello', 303));
  app.get('/teapot', (c) => c.text('short and stout', 418));
  app.post('/upload', async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const digest = createHash('sha256').update(bytes).digest('hex');
    return c.json({ bytes: bytes.length, sha256: digest, type: c.req.header('content-type') });
  });
  app.get(
    '/image',
    () =>
      new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]), {
        headers: { 'content-type': 'image/png' },
      }),
  );
  app.get('/stream', (c) =>
    stream(c, async (s) => {
      for (const part of ['a', 'b', 'c']) await s.write(part);
    }),
  );
  app.get('/throw', () => {
    throw new Error('the app failed');
  });
  app.get('/forever', () => new Promise<Response>(() => undefined));
  return app;
}

describe('web(app.fetch) with Hono, through the runtime server', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen(createServer(web(honoApp().fetch), { logs: captureLogs() }));
    await request(server.url, '/init', initBody());
  });
  afterAll(() => server.close());

  const run = async (value: Record<string, unknown>, deadlineMs?: number) => {
    const answer = await request(
      server.url,
      '/run',
      runBody(value, deadlineMs === undefined ? {} : { deadlineMs }),
    );
    expect(answer.status).toBe(200);
    return answer.json as WebResult & { error?: WebResult };
  };
  const base = (method: string, path: string, headers: Record<string, string> = {}) => ({
    __ow_method: method,
    __ow_headers: { host: 'example.test', ...headers },
    __ow_path: path,
  });

  it('GET with query params (non-raw) and with __ow_query (raw)', async () => {
    expect(await run({ ...base('get', '/hello'), name: 'Ada' })).toStrictEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: 'hello Ada',
    });
    const raw = await run({ ...base('get', '/hello'), __ow_query: 'name=Bo%20b', __ow_body: '' });
    expect(raw.body).toBe('hello Bo b');
  });

  it('JSON bodies: merged fields (non-raw) and base64 (raw)', async () => {
    const merged = await run({
      ...base('post', '/json', { 'content-type': 'application/json' }),
      a: 1,
    });
    expect(JSON.parse(Buffer.from(merged.body, 'base64').toString())).toStrictEqual({
      got: { a: 1 },
      q: null,
    });
    const raw = await run({
      ...base('post', '/json', { 'content-type': 'application/json' }),
      __ow_query: 'q=x',
      __ow_body: Buffer.from('{"a":[1]}').toString('base64'),
    });
    expect(JSON.parse(Buffer.from(raw.body, 'base64').toString())).toStrictEqual({
      got: { a: [1] },
      q: 'x',
    });
  });

  it('form bodies, non-raw and raw', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await run({ ...base('post', '/form', headers), text: 'héllo' })).body).toBe(
      '<p>héllo</p>',
    );
    const raw = await run({
      ...base('post', '/form', headers),
      __ow_query: '',
      __ow_body: 'text=a%26b',
    });
    expect(raw.body).toBe('<p>a&b</p>');
  });

  it('cookies both ways, a redirect, and any status code', async () => {
    const cookies = await run(base('get', '/cookies', { cookie: 'id=7' }));
    expect(cookies.headers['set-cookie']).toStrictEqual([
      'session=abc; Path=/; HttpOnly',
      'theme=dark; Path=/',
    ]);
    expect(cookies.body).toBe('you sent id=7');
    const redirect = await run(base('get', '/redirect'));
    expect(redirect).toMatchObject({ statusCode: 303, headers: { location: '/hello' }, body: '' });
    expect((await run(base('get', '/teapot'))).statusCode).toBe(418);
  });

  it('binary bodies both ways', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const upload = await run({
      ...base('post', '/upload', { 'content-type': 'application/octet-stream' }),
      __ow_body: bytes.toString('base64'),
    });
    expect(JSON.parse(Buffer.from(upload.body, 'base64').toString())).toStrictEqual({
      bytes: 256,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      type: 'application/octet-stream',
    });
    const image = await run(base('get', '/image'));
    expect(image.headers['content-type']).toBe('image/png');
    expect(Buffer.from(image.body, 'base64')).toStrictEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]),
    );
  });

  it('a streamed answer is collected', async () => {
    expect((await run(base('get', '/stream'))).body).toBe(Buffer.from('abc').toString('base64'));
  });

  it('Hono answers its own 404 and 500; the adapter passes them on', async () => {
    expect((await run(base('get', '/nowhere'))).statusCode).toBe(404);
    expect((await run(base('get', '/throw'))).statusCode).toBe(500);
  });

  it('an app still running at the deadline: 504 as an application error, and the server serves on', async () => {
    const late = await run(base('get', '/forever'), 300);
    expect(late.error).toMatchObject({ statusCode: 504, body: 'Gateway Timeout' });
    expect((await run({ ...base('get', '/hello'), name: 'again' })).body).toBe('hello again');
  });
});

describe('web() with apps that misbehave', () => {
  const call = async (app: Parameters<typeof web>[0], params: Record<string, unknown>) => {
    const server = await listen(createServer(web(app), { logs: captureLogs() }));
    try {
      const answer = await request(server.url, '/run', runBody(params));
      expect(answer.status).toBe(200);
      return answer.json as { error?: WebResult };
    } finally {
      await server.close();
    }
  };
  const get = { __ow_method: 'get', __ow_headers: {}, __ow_path: '/' };

  it('throws: 500', async () => {
    const answer = await call(() => {
      throw new Error('no');
    }, get);
    expect(answer.error).toMatchObject({ statusCode: 500, body: 'Internal Server Error' });
  });

  it('returns something other than a Response: 500', async () => {
    const answer = await call(() => ({ hello: 'world' }) as unknown as Response, get);
    expect(answer.error).toMatchObject({ statusCode: 500 });
  });

  it('is called without __ow_method (not as a web action): 400 that says how to call it', async () => {
    const answer = await call(() => new Response('x'), { name: 'x' });
    expect(answer.error?.statusCode).toBe(400);
    expect(answer.error?.body).toMatch(/\/api\/v1\/web/);
  });

  it('gets a __ow_body that is not base64 for a binary type: 400', async () => {
    const answer = await call(() => new Response('x'), {
      ...get,
      __ow_method: 'post',
      __ow_headers: { 'content-type': 'image/png' },
      __ow_body: 'not base64!',
    });
    expect(answer.error?.statusCode).toBe(400);
  });
});
