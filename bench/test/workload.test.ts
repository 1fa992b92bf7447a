import { freePort } from '@owkit/host/ports';
import { describe, expect, it } from 'vitest';
import { checkRunAnswer } from '../src/coldstart.js';
import { processLauncher, waitUntilListening } from '../src/launcher.js';
import { httpCall } from '../src/net.js';
import { variantNamed } from '../src/variants.js';
import {
  defaultRunBody,
  INIT_BODY,
  payloadOf,
  REVERSE_STRING,
  REVERSE_WEB,
  REVERSED_TEXT,
  runBody,
  TEXT,
} from '../src/workload.js';

describe('workloads', () => {
  it('asks reverse-string for {"payload"} and expects {"reversed"}', () => {
    expect(JSON.parse(defaultRunBody(REVERSE_STRING, 1000)).value).toEqual({ payload: TEXT });
    expect(variantNamed('go-native').expectedRunBody).toBe('{"reversed":"dlrow olleh"}');
  });

  it('asks the web examples for GET /api/reverse and expects the JSON body in base64', () => {
    const value = JSON.parse(defaultRunBody(REVERSE_WEB, 1000)).value;
    expect(value).toEqual({
      __ow_method: 'get',
      __ow_headers: { host: 'bench' },
      __ow_path: '/api/reverse',
      text: 'hello world',
    });
    for (const name of ['web-ts-native', 'web-go-native'] as const) {
      const answer = JSON.parse(variantNamed(name).expectedRunBody as string);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(Buffer.from(answer.body, 'base64').toString('utf8'))).toEqual({
        reversed: REVERSED_TEXT,
      });
    }
  });

  it('builds payloads of the exact size for either workload', () => {
    const web = payloadOf(100, REVERSE_WEB);
    expect((web.params.text as string).length).toBe(100);
    const { body } = JSON.parse(web.expected) as { body: string };
    const { reversed } = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
    expect(reversed).toBe([...(web.params.text as string)].reverse().join(''));
  });
});

// The web examples as the bench runs them in process mode: the real bundle and the real binary.
describe.each(['web-ts-native', 'web-go-native'] as const)('%s as a process', (name) => {
  it('answers the default workload and a 10 KB payload byte for byte', async () => {
    const variant = variantNamed(name);
    const port = await freePort();
    const server = await processLauncher().launch(variant, { port });
    try {
      await waitUntilListening(server, 10_000);
      const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
      expect(init.status).toBe(200);
      const run = await httpCall(`${server.url}/run`, {
        method: 'POST',
        body: defaultRunBody(variant.workload, 60_000),
      });
      expect(() => checkRunAnswer(variant, run.status, run.body)).not.toThrow();
      const payload = payloadOf(10_000, variant.workload);
      const big = await httpCall(`${server.url}/run`, {
        method: 'POST',
        body: runBody(60_000, payload.params),
      });
      expect(big).toEqual({ status: 200, body: payload.expected });
      // The check fails on a plain reverse-string answer: the bench would notice a wrong body.
      expect(() => checkRunAnswer(variant, 200, '{"reversed":"dlrow olleh"}')).toThrow();
    } finally {
      await server.stop();
    }
  }, 30_000);
});

describe('waitUntilListening', () => {
  it('reports a process that exits before listening at once, with its code and stderr', async () => {
    const variant = {
      ...variantNamed('floor-node-default'),
      process: {
        command: 'node',
        args: ['-e', 'console.error("cannot bind: no such action"); process.exit(3)'],
      },
    };
    const port = await freePort();
    const server = await processLauncher().launch(variant, { port });
    const startedAt = performance.now();
    try {
      await expect(waitUntilListening(server, 20_000)).rejects.toThrow(
        /exited before listening \(exit 3; stderr ends: cannot bind: no such action\)/,
      );
      // Long before the deadline: the exit ends the wait, not the timeout.
      expect(performance.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await server.stop();
    }
  }, 30_000);
});
