import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { initBody, runBody } from '@owkit/runtime/testing';
import { describeWithDocker } from '@owkit/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { send, sendStreamed } from '../src/client.js';
import { pollUntil } from '../src/poll.js';
import { descendantsOf, treeRssBytes, uidsOf } from '../src/procfs.js';
import { expectedBody } from '../src/reverse-string.js';
import { blackboxScript, loopScript } from '../src/scripts.js';
import { type Server, startBareProxy, startVariant } from '../src/servers.js';
import { proxyBaseImages, type StartMode, variants } from '../src/variants.js';

const OWKIT_UID = 10001;
const MiB = 1024 * 1024;
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`hardening figures:\n  ${figures.join('\n  ')}`);
});

async function withServer<T>(
  start: Promise<Server>,
  fn: (server: Server) => Promise<T>,
): Promise<T> {
  const server = await start;
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** Shell-looking payloads: a server that handed params to a shell would run them. */
function injectionPayloads(marker: string): string[] {
  return [
    `$(touch /tmp/${marker}-a)`,
    `\`touch /tmp/${marker}-b\``,
    `; touch /tmp/${marker}-c; rm -rf /action /app`,
    `| touch /tmp/${marker}-d`,
    `&& touch /tmp/${marker}-e`,
    `'; touch /tmp/${marker}-f #`,
    `"; touch /tmp/${marker}-g #`,
    `\n touch /tmp/${marker}-h`,
  ];
}

describeWithDocker('hardening: images', () => {
  const images = [
    ...variants.map((v) => ({ image: v.image, start: () => startVariant(v, 'image') })),
    ...(['blackbox', 'actionloop'] as const).map((kind) => ({
      image: proxyBaseImages[kind],
      start: () => startBareProxy(kind, 'image'),
    })),
  ];

  for (const { image, start } of images) {
    it(`${image} runs every process as uid ${OWKIT_UID}, not root`, async () => {
      await withServer(start(), async (server) => {
        await send(server.url, '/init', { body: initBody() });
        await send(server.url, '/run', { body: runBody({ payload: 'x' }) });
        const pids = [server.pid, ...descendantsOf(server.pid).map((p) => p.pid)];
        for (const pid of pids)
          expect([pid, uidsOf(pid)]).toEqual([pid, [OWKIT_UID, OWKIT_UID, OWKIT_UID, OWKIT_UID]]);
      });
    });
  }

  for (const variant of variants) {
    it(`${variant.image} serves with --read-only --tmpfs /tmp`, async () => {
      await withServer(
        startVariant(variant, 'image', { dockerArgs: ['--read-only', '--tmpfs', '/tmp'] }),
        async (server) => {
          expect((await send(server.url, '/init', { body: initBody() })).body).toBe('{"ok":true}');
          for (const payload of ['read only', 'again']) {
            const answer = await send(server.url, '/run', { body: runBody({ payload }) });
            expect([answer.status, answer.body]).toEqual([200, expectedBody(payload)]);
          }
        },
      );
    });
  }

  for (const variant of variants) {
    it(`${variant.image} under the invoker's 256 MB: a 768 MiB body → 413 without buffering it, still serving`, async () => {
      await withServer(startVariant(variant, 'image'), async (server) => {
        await send(server.url, '/init', { body: initBody() });
        const before = treeRssBytes(server.pid);
        let peak = before;
        const sampler = setInterval(() => {
          peak = Math.max(peak, treeRssBytes(server.pid));
        }, 20);
        try {
          const answer = await sendStreamed(server.url, '/run', 768 * MiB);
          expect([answer.status, answer.body]).toEqual([
            413,
            '{"error":"Request body too large."}',
          ]);
        } finally {
          clearInterval(sampler);
        }
        figures.push(
          `${variant.image}: RSS ${(before / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB while refusing 768 MiB`,
        );
        // Buffering the whole body would take 768 MiB; the cgroup allows 256.
        expect(peak - before).toBeLessThan(256 * MiB);
        const after = await send(server.url, '/run', { body: runBody({ payload: 'bounded' }) });
        expect(after.body).toBe(expectedBody('bounded'));
      });
    });
  }

  for (const variant of variants.filter((v) => v.kind !== 'native')) {
    it(`${variant.image}: /init with code after the first /init → 403, the action unchanged`, async () => {
      await withServer(startVariant(variant, 'image'), async (server) => {
        expect((await send(server.url, '/init', { body: initBody() })).status).toBe(200);
        const code =
          variant.kind === 'blackbox' ? '#!/bin/sh\necho \'{"replaced":true}\'\n' : loopScript();
        const again = await send(server.url, '/init', {
          body: { value: { name: 'x', main: 'main', binary: false, code } },
        });
        expect([again.status, again.body]).toEqual([
          403,
          '{"error":"Cannot initialize the action more than once."}',
        ]);
        const answer = await send(server.url, '/run', { body: runBody({ payload: 'unchanged' }) });
        expect(answer.body).toBe(expectedBody('unchanged'));
      });
    });
  }

  for (const kind of ['blackbox', 'actionloop'] as const) {
    it(`${proxyBaseImages[kind]}: no environment leaks from one activation to the next`, async () => {
      await withServer(startBareProxy(kind, 'image'), async (server) => {
        const code = kind === 'blackbox' ? blackboxScript('sleep 30') : loopScript();
        await send(server.url, '/init', {
          body: { value: { name: 'x', main: 'main', binary: false, code } },
        });
        const secret = `secret-${randomUUID()}`;
        const first = await send(server.url, '/run', {
          body: runBody({ mode: 'context' }, { apiKey: secret }),
        });
        expect(first.body).toContain(secret);
        for (let i = 0; i < 3; i++) {
          const next = await send(server.url, '/run', { body: runBody({ mode: 'context' }) });
          expect(next.status).toBe(200);
          expect(next.body).not.toContain(secret);
        }
      });
    });
  }
});

function defineInjection(start: StartMode): void {
  for (const variant of variants) {
    it(`${variant.id} · ${start}: shell syntax in params is data — reversed, nothing run`, async () => {
      const marker = `owkit-pwned-${randomUUID().slice(0, 8)}`;
      await withServer(startVariant(variant, start), async (server) => {
        await send(server.url, '/init', { body: initBody() });
        const payloads = injectionPayloads(marker);
        for (const payload of payloads) {
          const answer = await send(server.url, '/run', {
            body: runBody({ payload, [payload]: payload }),
          });
          expect([payload, answer.status, answer.body]).toEqual([
            payload,
            200,
            expectedBody(payload),
          ]);
        }
        // The container's /tmp is visible from the host through its PID 1's root.
        const tmp = start === 'image' ? `/proc/${server.pid}/root/tmp` : '/tmp';
        const created = await pollUntil(
          () => 'abcdefgh'.split('').filter((s) => existsSync(`${tmp}/${marker}-${s}`)),
          (found) => found.length > 0,
          300,
        );
        expect(created).toEqual([]);
      });
    });
  }
}

describe('hardening: processes', () => defineInjection('process'));
describeWithDocker('hardening: images, injection', () => defineInjection('image'));
