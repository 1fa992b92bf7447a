/**
 * Connection timeouts (protocol.md §1.1): a head must arrive within 60 s, a started body must keep
 * moving (a body shorter than its Content-Length included), an idle keep-alive connection closes
 * after 65 s. Each wait is a minute, so every image's
 * probes start together in one beforeAll and the cases only read their outcome: the file takes
 * about as long as its slowest probe, not a minute per case per image.
 */
import { initBody, runBody } from '@owkit/runtime/testing';
import { describeWithDocker } from '@owkit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { send } from '../src/client.js';
import { postHead, type RawExchange, rawExchange } from '../src/raw-http.js';
import { expectedBody } from '../src/reverse-string.js';
import { type Server, startVariant } from '../src/servers.js';
import { variants } from '../src/variants.js';

/** Long enough for a server that checks its timers every 30 s (Node's default) to show up late. */
const WAIT_MS = 100_000;
const SECOND = 1_000;

interface Probe {
  name: string;
  /** The window the close must fall in, in ms from what `exchange.closedAfterMs` counts from. */
  window: [number, number];
  run(server: Server): Promise<RawExchange>;
}

const probes: Probe[] = [
  {
    name: 'slowloris head: one byte of header every 5 s, never the end of the head → closed 60 s after the connection',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) => {
      const trickle: (string | number)[] = ['POST /run HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '];
      for (let i = 0; i < WAIT_MS / 5_000; i++) trickle.push(5_000, 'a');
      return rawExchange(server.port, trickle, { waitMs: 0, timeFrom: 'connect' });
    },
  },
  {
    name: 'slow body: the head and 10 of 1,000 body bytes, then nothing → closed 60 s after the last byte',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) =>
      rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', 'Content-Length: 1000']),
          '{"value":{',
        ],
        { waitMs: WAIT_MS },
      ),
  },
  {
    name: 'lying Content-Length: 1,000 declared, 12 bytes sent, then the client half-closes → closed, at once or by the body timeout',
    window: [0, 75 * SECOND],
    run: (server) =>
      rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', 'Content-Length: 1000']),
          '{"value":{}}',
        ],
        { waitMs: WAIT_MS, halfClose: true },
      ),
  },
  {
    name: 'idle keep-alive: one answered /run, then silence → closed 60-65 s after the answer',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) => {
      const body = JSON.stringify(runBody({ payload: 'idle' }));
      return rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', `Content-Length: ${body.length}`]),
          body,
        ],
        { waitMs: WAIT_MS, timeFrom: 'response' },
      );
    },
  },
];

const outcomes = new Map<string, Promise<RawExchange>>();
const servers: Server[] = [];
const figures: string[] = [];

describeWithDocker('hardening: connection timeouts, every image at once', () => {
  beforeAll(async () => {
    for (const variant of variants) {
      const server = await startVariant(variant, 'image');
      servers.push(server);
      expect((await send(server.url, '/init', { body: initBody() })).body).toBe('{"ok":true}');
      for (const probe of probes) {
        const outcome = probe.run(server);
        outcome.catch(() => undefined);
        outcomes.set(`${variant.image} ${probe.name}`, outcome);
      }
    }
  });
  afterAll(async () => {
    await Promise.allSettled(outcomes.values());
    console.log(`hardening figures (timeouts):\n  ${figures.join('\n  ')}`);
    await Promise.all(servers.map((server) => server.stop()));
  });

  for (const [index, variant] of variants.entries()) {
    for (const probe of probes) {
      it(
        `${variant.image}: ${probe.name}`,
        async () => {
          const exchange = await outcomes.get(`${variant.image} ${probe.name}`);
          if (exchange === undefined) throw new Error('probe never started');
          const seconds =
            exchange.closedAfterMs === undefined
              ? 'never'
              : `${(exchange.closedAfterMs / SECOND).toFixed(1)} s`;
          figures.push(
            `${variant.image}: ${probe.name.split(':')[0]} closed after ${seconds}; answers ${exchange.responses.map((r) => r.status).join(',') || 'none'}`,
          );
          expect(exchange.closed, `still open after ${WAIT_MS / SECOND} s`).toBe(true);
          expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(probe.window[0]);
          expect(exchange.closedAfterMs).toBeLessThanOrEqual(probe.window[1]);
          // Whatever came back before the close was a protocol answer or an error, never a 2xx
          // for a request that was never complete.
          if (!probe.name.startsWith('idle')) {
            expect(exchange.responses.filter((r) => r.status < 400)).toEqual([]);
          }
          const server = servers[index] as Server;
          const answer = await send(server.url, '/run', { body: runBody({ payload: 'after' }) });
          expect(answer.body).toBe(expectedBody('after'));
        },
        WAIT_MS + 30_000,
      );
    }
  }
});
