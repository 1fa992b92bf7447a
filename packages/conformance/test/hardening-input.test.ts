/**
 * Issue 10's hostile-input triggers, sent to every image as it runs on the platform (under the
 * invoker's limits): slow heads and bodies, idle keep-alive, lying lengths, 10^11 declared, odd
 * chunk sizes, a BOM, `Expect`, deep nesting, numbers no double holds, and init env values no
 * process environment can carry.
 */
import { randomUUID } from 'node:crypto';
import { MESSAGES } from '@owkit/protocol';
import { initBody, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker } from '@owkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../src/client.js';
import { pollUntil } from '../src/poll.js';
import { postHead, type RawExchange, rawExchange } from '../src/raw-http.js';
import { expectedBody } from '../src/reverse-string.js';
import { type Server, startBareProxy, startVariant } from '../src/servers.js';
import { SECOND, timeoutProbes, WAIT_MS } from '../src/timeout-probes.js';
import { proxyBaseImages, variants } from '../src/variants.js';

const INVALID_JSON = JSON.stringify({ error: MESSAGES.invalidJson });
const TOO_LARGE = JSON.stringify({ error: MESSAGES.bodyTooLarge });
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`hardening figures (input):\n  ${figures.join('\n  ')}`);
});

/** A `/run` body as text, with `valueText` pasted in as it is (not through JSON.stringify). */
function runText(valueText: string): string {
  const body = JSON.stringify(runBody({}));
  return body.replace('"value":{}', `"value":${valueText}`);
}

const JSON_HEAD = (length: number | string) => [
  'Content-Type: application/json',
  `Content-Length: ${length}`,
];

const servers = new Map<string, Server>();
const probeOutcomes = new Map<string, Promise<RawExchange>>();

describeWithDocker('hardening: hostile input and connection timeouts, every image', () => {
  // The minute-long timeout probes start first, on every image at once; the input cases run
  // while they wait, on the same servers, and the probes' cases come last.
  beforeAll(async () => {
    for (const variant of variants) {
      const server = await startVariant(variant, 'image');
      servers.set(variant.id, server);
      expect((await send(server.url, '/init', { body: initBody() })).body).toBe('{"ok":true}');
      for (const probe of timeoutProbes) {
        const outcome = probe.run(server);
        outcome.catch(() => undefined);
        probeOutcomes.set(`${variant.id} ${probe.name}`, outcome);
      }
    }
  });
  afterAll(async () => {
    await Promise.allSettled(probeOutcomes.values());
    for (const server of servers.values()) expect((await server.stop()).exitCode).toBe(0);
  });

  for (const variant of variants) {
    describe(variant.image, () => {
      let server: Server;
      beforeAll(() => {
        server = servers.get(variant.id) as Server;
      });
      const stillServes = async () => {
        const payload = `still serving ${randomUUID()}`;
        const answer = await send(server.url, '/run', { body: runBody({ payload }) });
        expect([answer.status, answer.body]).toEqual([200, expectedBody(payload)]);
      };

      it('Content-Length smaller than what is sent → that many bytes are the body (400 when they are not JSON, the answer when they are), the rest never answered 2xx', async () => {
        const body = runText('{"payload":"cut"}');
        const short = await rawExchange(
          server.port,
          [postHead('/run', JSON_HEAD(body.length - 5)), body],
          { waitMs: 5_000, stopAfterResponses: 1 },
        );
        expect(short.responses[0]?.status).toBe(400);
        expect(short.responses[0]?.body.toString()).toBe(INVALID_JSON);

        const trailing = await rawExchange(
          server.port,
          [postHead('/run', JSON_HEAD(body.length)), `${body}GARBAGE NOT HTTP\r\n\r\n`],
          { waitMs: 10_000 },
        );
        expect(trailing.responses[0]?.status).toBe(200);
        expect(trailing.responses[0]?.body.toString()).toBe(expectedBody('cut'));
        expect(trailing.responses.slice(1).map((r) => r.status < 400)).not.toContain(true);
        expect(trailing.closed).toBe(true);
        await stillServes();
      });

      it('10^11 bytes declared → 413 at once, not after waiting for them', async () => {
        const startedAt = performance.now();
        const exchange = await rawExchange(
          server.port,
          [postHead('/run', JSON_HEAD('100000000000')), '{"value":{"payload":"'],
          { waitMs: 10_000, stopAfterResponses: 1 },
        );
        const ms = performance.now() - startedAt;
        figures.push(
          `${variant.image}: 10^11 declared → ${exchange.responses[0]?.status} in ${Math.round(ms)} ms`,
        );
        expect(exchange.responses[0]?.status).toBe(413);
        expect(exchange.responses[0]?.body.toString()).toBe(TOO_LARGE);
        expect(ms).toBeLessThan(5_000);
        await stillServes();
      });

      it('chunked with a chunk size past 64 bits → an error or a close within seconds, never 2xx', async () => {
        const exchange = await rawExchange(
          server.port,
          [
            postHead('/run', ['Content-Type: application/json', 'Transfer-Encoding: chunked']),
            'fffffffffffffffffffffffff\r\n{"value":{}}',
          ],
          { waitMs: 10_000, stopAfterResponses: 1 },
        );
        const statuses = exchange.responses.map((r) => r.status);
        expect(exchange.closed || statuses.length > 0, 'neither an answer nor a close').toBe(true);
        for (const status of statuses) expect([400, 413]).toContain(status);
        await stillServes();
      });

      it('chunked with one chunk declared 2^63-1 bytes, then 65 MiB sent → 413, still serving', async () => {
        const filler = Buffer.alloc(65 * 1024 * 1024, 0x20);
        const exchange = await rawExchange(
          server.port,
          [
            postHead('/run', ['Content-Type: application/json', 'Transfer-Encoding: chunked']),
            '7fffffffffffffff\r\n{"value":{"payload":"x"}}',
            filler,
          ],
          { waitMs: 30_000, stopAfterResponses: 1 },
        );
        expect(exchange.responses[0]?.status).toBe(413);
        expect(exchange.responses[0]?.body.toString()).toBe(TOO_LARGE);
        await stillServes();
      });

      it('a UTF-8 BOM before the JSON → 400 {"error":"Request body is not valid JSON."}', async () => {
        const body = Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(JSON.stringify(runBody({ payload: 'bom' }))),
        ]);
        const answer = await send(server.url, '/run', { body });
        expect([answer.status, answer.body]).toEqual([400, INVALID_JSON]);
        await stillServes();
      });

      it('Expect: foo → whatever the status, never a chunked answer: an exact Content-Length', async () => {
        const body = runText('{"payload":"expect"}');
        const exchange = await rawExchange(
          server.port,
          [postHead('/run', [...JSON_HEAD(body.length), 'Expect: foo']), body],
          { waitMs: 5_000, stopAfterResponses: 1 },
        );
        const [answer] = exchange.responses;
        figures.push(
          `${variant.image}: Expect: foo → ${answer?.status} ${answer?.body.toString().slice(0, 60)}`,
        );
        expect(answer, exchange.received.toString('latin1').slice(0, 200)).toBeDefined();
        expect(answer?.chunked).toBe(false);
        expect(answer?.headers['content-length']).toBe(String(answer?.body.length));
        await stillServes();
      });

      it('params nested 5,000 deep are served', async () => {
        const nested = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
        const answer = await send(server.url, '/run', {
          body: runText(`{"payload":"deep","nested":${nested}}`),
        });
        expect([answer.status, answer.body]).toEqual([200, expectedBody('deep')]);
      });

      it('a body nested deeper than 10,000 levels → 400 invalid JSON, still serving', async () => {
        for (const depth of [10_001, 100_000]) {
          const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
          const answer = await send(server.url, '/run', {
            body: runText(`{"payload":"too deep","nested":${nested}}`),
          });
          expect([depth, answer.status, answer.body]).toEqual([depth, 400, INVALID_JSON]);
        }
        await stillServes();
      });
    });
  }

  describe('connection timeouts (probes started before the cases above)', () => {
    for (const variant of variants) {
      for (const probe of timeoutProbes) {
        it(
          `${variant.image}: ${probe.name}`,
          async () => {
            const exchange = await probeOutcomes.get(`${variant.id} ${probe.name}`);
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
            // Whatever came back before the close was an error, never a 2xx for a request that
            // was never complete.
            if (!probe.name.startsWith('idle')) {
              expect(exchange.responses.filter((r) => r.status < 400)).toEqual([]);
            }
            const answer = await send((servers.get(variant.id) as Server).url, '/run', {
              body: runBody({ payload: 'after' }),
            });
            expect(answer.body).toBe(expectedBody('after'));
          },
          WAIT_MS + 30_000,
        );
      }
    }
  });
});

const HUGE_VALUE = '{ "id" : 1234567890123456789, "x" : 1e400, "z" : -0 }';
const HUGE_VALUE_COMPACT = '{"id":1234567890123456789,"x":1e400,"z":-0}';

describeWithDocker('hardening: params and results byte for byte through the proxy images', () => {
  it(`${proxyBaseImages.blackbox}: the child gets the value's numbers as sent, in argv and on stdin, and its result comes back untouched`, async () => {
    const server = await startBareProxy('blackbox', 'image');
    try {
      const code = `#!/bin/sh\nIFS= read -r input\nprintf '{"argv":%s,"stdin":%s}\\n' "$1" "$input"\n`;
      await send(server.url, '/init', {
        body: { value: { name: 'echo', main: 'main', binary: false, code } },
      });
      const answer = await send(server.url, '/run', { body: runText(HUGE_VALUE) });
      expect([answer.status, answer.body]).toEqual([
        200,
        `{"argv":${HUGE_VALUE_COMPACT},"stdin":${HUGE_VALUE_COMPACT}}`,
      ]);
    } finally {
      await server.stop();
    }
  });

  it(`${proxyBaseImages.actionloop}: the child's line holds the value's numbers as sent, and its result comes back untouched`, async () => {
    const server = await startBareProxy('actionloop', 'image');
    try {
      const code = `#!/bin/sh\nwhile IFS= read -r input; do printf '{"line":%s}\\n' "$input" >&3; done\n`;
      await send(server.url, '/init', {
        body: { value: { name: 'echo', main: 'main', binary: false, code } },
      });
      const answer = await send(server.url, '/run', { body: runText(HUGE_VALUE) });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain(`"value":${HUGE_VALUE_COMPACT}`);
      expect(answer.body.startsWith('{"line":{')).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe.each(['blackbox', 'actionloop'] as const)(
  'hardening: init env values no environment can carry · %s proxy image',
  (kind) => {
    const cases = [
      { name: 'a NUL inside', value: (secret: string) => `${secret}\u0000after the NUL` },
      { name: 'over 128 KiB', value: (secret: string) => `${secret}${'x'.repeat(128 * 1024 + 1)}` },
    ];
    for (const testCase of cases) {
      describeWithDocker(`${proxyBaseImages[kind]}, ${testCase.name}`, () => {
        it("→ the protocol's answers with sentinels, the value never echoed, still answering", async () => {
          const secret = `secret-${randomUUID()}`;
          const server = await startBareProxy(kind, 'image');
          try {
            const code =
              kind === 'blackbox'
                ? '#!/bin/sh\necho \'{"ran":true}\'\n'
                : '#!/bin/sh\nwhile IFS= read -r input; do echo \'{"ran":true}\' >&3; done\n';
            const init = await send(server.url, '/init', {
              body: {
                value: {
                  name: 'env',
                  main: 'main',
                  binary: false,
                  code,
                  env: { SECRET: testCase.value(secret) },
                },
              },
              timeoutMs: 10_000,
            });
            const runs = [];
            for (let i = 0; i < 2; i++) {
              runs.push(await send(server.url, '/run', { body: runBody({}), timeoutMs: 10_000 }));
            }
            figures.push(
              `${proxyBaseImages[kind]}, env value with ${testCase.name}: /init ${init.status} ${init.body.slice(0, 90)}; /run ${runs.map((r) => `${r.status} ${r.body.slice(0, 90)}`).join(' | ')}`,
            );
            for (const answer of [init, ...runs]) {
              expect(answer.body).not.toContain(secret);
              expect([200, 502]).toContain(answer.status);
              expect(Object.keys(answer.json as object)).toEqual([
                answer.status === 200 ? expect.any(String) : 'error',
              ]);
            }
            // The action could not be given that environment: no activation may pretend it ran.
            for (const run of runs) expect(run.status).toBe(502);
            const seen = await pollUntil(
              async () => {
                const logs = await server.logs();
                return {
                  stdout: countSentinels(logs.stdout),
                  stderr: countSentinels(logs.stderr),
                  leaked: `${logs.stdout}${logs.stderr}`.includes(secret),
                };
              },
              (s) => s.stdout >= 2 && s.stderr >= 2,
            );
            expect(seen).toEqual({
              stdout: expect.any(Number),
              stderr: expect.any(Number),
              leaked: false,
            });
            expect(seen.stdout).toBeGreaterThanOrEqual(2);
            expect(seen.stderr).toBeGreaterThanOrEqual(2);
          } finally {
            await server.stop();
          }
        });
      });
    }
  },
);
