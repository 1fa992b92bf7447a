import { createApp, web } from '@owkit/runtime';
import { captureLogs, invoke, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { app, GREETING } from '../src/app.js';

/** A web request's params as the controller sends them (docs/web-actions.md). */
const get = (path: string, query: Record<string, string> = {}) => ({
  __ow_method: 'get',
  __ow_headers: { host: 'example.test' },
  __ow_path: path,
  ...query,
});

/** The app through web() and the runtime, in process: what a `/run` of a web request answers. */
async function run(params: object) {
  const runtime = createApp(web(app), { logs: captureLogs() });
  return (await invoke(runtime, '/run', runBody(params))).json as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
}

describe('the web app', () => {
  it('greets the name it is given on a page', async () => {
    const answer = await run(get('', { name: 'Ada' }));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain(`<h1>${GREETING}, Ada</h1>`);
  });

  it('greets as JSON (sent base64, as web actions send JSON)', async () => {
    const answer = await run(get('/api/greet'));
    expect(JSON.parse(Buffer.from(answer.body, 'base64').toString())).toEqual({
      greeting: `${GREETING}, world`,
    });
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    expect((await run(get('/nowhere'))).statusCode).toBe(404);
    expect(app(new Request('http://x/', { method: 'DELETE' })).status).toBe(405);
  });
});
