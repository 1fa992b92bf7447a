import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type RunOutcome } from '../src/dev/gateway.js';

/** The gateway over a real socket, in front of `run` (what pnpm dev posts to the action's /run). */
async function gateway(run: (params: Record<string, unknown>) => Promise<RunOutcome>, raw = false) {
  const server = createGateway({ raw, run });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  opened.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${port}`;
}
const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((close) => close()));
});

describe('the pnpm dev gateway over HTTP', () => {
  it('answers with the result: status, repeated headers, CORS and the activation id', async () => {
    const seen: unknown[] = [];
    const url = await gateway(async (params) => {
      seen.push(params);
      return {
        activationId: 'a1',
        status: 200,
        result: { statusCode: 201, headers: { 'set-cookie': ['a=1', 'b=2'] }, body: 'hi' },
      };
    });
    const response = await fetch(`${url}/path?x=1`, { headers: { 'X-Odd-Case': 'v' } });
    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('x-openwhisk-activation-id')).toBe('a1');
    expect(await response.text()).toBe('hi');
    expect(seen).toMatchObject([
      { __ow_method: 'get', __ow_path: '/path', x: '1', __ow_headers: { 'x-odd-case': 'v' } },
    ]);
  });

  it('answers OPTIONS, other methods, reserved params and large bodies itself', async () => {
    let runs = 0;
    const url = await gateway(async () => {
      runs++;
      return { activationId: 'a', status: 200, result: {} };
    });
    const options = await fetch(url, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Headers': 'X-Mine' },
    });
    expect([options.status, options.headers.get('access-control-allow-headers')]).toEqual([
      200,
      'X-Mine',
    ]);
    expect((await fetch(url, { method: 'PROPFIND' })).status).toBe(405);
    const reserved = await fetch(`${url}/?__ow_path=/x`);
    expect(reserved.status).toBe(400);
    expect(reserved.headers.get('access-control-allow-origin')).toBe('*');
    const large = await fetch(url, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(large.status).toBe(413);
    expect(runs).toBe(0);
  });

  it('runs one activation at a time, as a container with concurrency 1', async () => {
    let running = 0;
    let most = 0;
    const url = await gateway(async () => {
      running++;
      most = Math.max(most, running);
      await delay(20);
      running--;
      return { activationId: 'a', status: 200, result: { body: 'ok' } };
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => fetch(url)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(most).toBe(1);
  });

  it('a failed or timed-out activation is the controller 400', async () => {
    const url = await gateway(async () => ({
      activationId: 'a',
      status: undefined,
      result: undefined,
    }));
    const answer = await fetch(url);
    expect([answer.status, await answer.json()]).toEqual([
      400,
      { error: 'There was an error processing your request.' },
    ]);
  });
});
