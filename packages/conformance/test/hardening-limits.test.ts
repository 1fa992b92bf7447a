/**
 * Issue 10's memory, concurrency, shutdown and process triggers, against the images under the
 * invoker's limits (testkit's startContainer applies them to every container).
 */
import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { initBody, runBody } from '@owkit/runtime/testing';
import { describeWithDocker } from '@owkit/testkit';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';
import {
  BODY_LIMIT,
  largestZipInitBody,
  reversedAnswer,
  runBodyFilling,
} from '../src/big-bodies.js';
import { type Answer, send } from '../src/client.js';
import { ContainerMemory, mib, oomKilled } from '../src/container-memory.js';
import { pollUntil } from '../src/poll.js';
import { descendantsOf } from '../src/procfs.js';
import { expectedBody } from '../src/reverse-string.js';
import { constantScript } from '../src/scripts.js';
import { type Server, startBareProxy, startVariant } from '../src/servers.js';
import { proxyBaseImages, variants } from '../src/variants.js';
import { buildZip } from '../src/zip.js';

const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`hardening figures (limits):\n  ${figures.join('\n  ')}`);
});

async function withServer<T>(start: Promise<Server>, fn: (server: Server) => Promise<T>) {
  const server = await start;
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

const OUTPUT_TOO_LARGE =
  /^\{"error":"The action's output was too large: more than \d+ bytes on (stdout|result)\."\}$/;

describeWithDocker('hardening: 64 MiB bodies and a 48 MB zip under 256 MB', () => {
  for (const variant of variants) {
    it(`${variant.image}: two /run bodies of exactly 64 MiB in a row, as the payload and as padding, answer correctly`, async () => {
      await withServer(startVariant(variant, 'image'), async (server) => {
        const memory = new ContainerMemory(server.containerId as string);
        expect((await send(server.url, '/init', { body: initBody() })).body).toBe('{"ok":true}');

        // The payload itself: 64 MiB of letters, reversed in the answer. A proxy may instead
        // refuse the 64 MiB result with its output cap (protocol §3.2), which is also correct.
        const payload = runBodyFilling(BODY_LIMIT, 'payload');
        expect(payload.body.length).toBe(BODY_LIMIT);
        const reversed = reversedAnswer(payload.filler);
        const outcome = (answer: Answer) =>
          answer.status === 200 && answer.bytes.equals(reversed)
            ? '200 reversed'
            : variant.kind !== 'native' &&
                answer.status === 502 &&
                OUTPUT_TOO_LARGE.test(answer.body)
              ? '502 output cap'
              : `wrong: ${answer.status} ${answer.body.slice(0, 100)}`;
        await memory.resetPeak();
        const payloadOutcomes: string[] = [];
        for (let i = 0; i < 2; i++) {
          const answer = await send(server.url, '/run', { body: payload.body, timeoutMs: 120_000 });
          payloadOutcomes.push(outcome(answer));
        }
        const payloadPeak = await memory.peakBytes();

        // Small params beside 64 MiB of padding: the answer is tiny.
        const padded = runBodyFilling(BODY_LIMIT, 'pad', { payload: 'hi' });
        await memory.resetPeak();
        const paddingOutcomes: string[] = [];
        for (let i = 0; i < 2; i++) {
          const answer = await send(server.url, '/run', { body: padded.body, timeoutMs: 120_000 });
          paddingOutcomes.push(
            answer.status === 200 && answer.body === expectedBody('hi')
              ? '200 right'
              : `wrong: ${answer.status} ${answer.body.slice(0, 100)}`,
          );
        }
        const paddingPeak = await memory.peakBytes();
        figures.push(
          `${variant.image}: 2 × 64 MiB payload → ${payloadOutcomes.join(', ')}, peak ${mib(payloadPeak)}; 2 × 64 MiB padding → ${paddingOutcomes.join(', ')}, peak ${mib(paddingPeak)} (${memory.source}; processes OOM-killed: ${memory.oomKills() ?? '?'})`,
        );
        expect(payloadOutcomes.filter((o) => o.startsWith('wrong'))).toEqual([]);
        expect(paddingOutcomes).toEqual(['200 right', '200 right']);
        expect(await oomKilled(server.containerId as string)).toBe(false);
        const after = await send(server.url, '/run', { body: runBody({ payload: 'after' }) });
        expect(after.body).toBe(expectedBody('after'));
      });
    }, 300_000);
  }

  for (const kind of ['blackbox', 'actionloop'] as const) {
    it(`${proxyBaseImages[kind]}: /init with a 48 MB incompressible code zip, then /run`, async () => {
      const { body, zipBytes } = largestZipInitBody(constantScript(kind, '{"zip":"ran"}'));
      expect(body.length).toBeLessThanOrEqual(BODY_LIMIT);
      await withServer(startBareProxy(kind, 'image'), async (server) => {
        const memory = new ContainerMemory(server.containerId as string);
        await memory.resetPeak();
        const startedAt = performance.now();
        const init = await send(server.url, '/init', { body, timeoutMs: 120_000 });
        const initMs = performance.now() - startedAt;
        expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
        const initPeak = await memory.peakBytes();
        await memory.resetPeak();
        const run = await send(server.url, '/run', { body: runBody({}) });
        expect([run.status, run.body]).toEqual([200, '{"zip":"ran"}']);
        figures.push(
          `${proxyBaseImages[kind]}: /init of a ${mib(zipBytes)} zip (${mib(body.length)} body) in ${Math.round(initMs)} ms, peak ${mib(initPeak)}; /run after it peak ${mib(await memory.peakBytes())} (${memory.source})`,
        );
        expect(await oomKilled(server.containerId as string)).toBe(false);
      });
    }, 300_000);
  }
});

/** `connections` keep-alive connections, each sending `perConnection` activations one after another. */
async function concurrentActivations(url: string, connections: number, perConnection: number) {
  const base = new URL(url);
  const wrong: string[] = [];
  const sockets = new Set<unknown>();
  let answered = 0;
  const one = (agent: Agent, payload: string) =>
    new Promise<Pick<Answer, 'status' | 'body'>>((resolve, reject) => {
      const body = JSON.stringify(runBody({ payload }));
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          path: '/run',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: 60_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('socket', (socket) => sockets.add(socket));
      req.on('timeout', () => req.destroy(new Error('no answer in 60 s')));
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < perConnection; i++) {
          const payload = `connection ${c} activation ${i} ✓`;
          const answer = await one(agent, payload).catch((error: Error) => ({
            status: 0,
            body: error.message,
          }));
          answered += 1;
          if (answer.status !== 200 || answer.body !== expectedBody(payload)) {
            wrong.push(`${c}/${i}: ${answer.status} ${answer.body.slice(0, 120)}`);
          }
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return { wrong, answered, sockets: sockets.size };
}

describeWithDocker('hardening: concurrency and shutdown under the invoker limits', () => {
  for (const variant of variants) {
    it(`${variant.image}: 64 connections × 8 activations each, every answer right`, async () => {
      await withServer(startVariant(variant, 'image'), async (server) => {
        const memory = new ContainerMemory(server.containerId as string);
        await send(server.url, '/init', { body: initBody() });
        await memory.resetPeak();
        const startedAt = performance.now();
        const { wrong, answered, sockets } = await concurrentActivations(server.url, 64, 8);
        figures.push(
          `${variant.image}: 64 × 8 activations in ${Math.round(performance.now() - startedAt)} ms over ${sockets} connections, ${wrong.length} wrong, peak ${mib(await memory.peakBytes())}`,
        );
        expect(answered).toBe(512);
        expect(wrong).toEqual([]);
      });
    }, 180_000);
  }

  for (const variant of variants) {
    it(`${variant.image}: SIGTERM with idle keep-alive clients → exit 0 within 1 s`, async () => {
      const server = await startVariant(variant, 'image');
      const agent = new Agent({ keepAlive: true, maxSockets: 8 });
      const seen = new Set<unknown>();
      try {
        await send(server.url, '/init', { body: initBody() });
        const base = new URL(server.url);
        await Promise.all(
          Array.from(
            { length: 8 },
            (_, i) =>
              new Promise<void>((resolve, reject) => {
                const body = JSON.stringify(runBody({ payload: `idle ${i}` }));
                const req = request(
                  { host: base.hostname, port: base.port, path: '/run', method: 'POST', agent },
                  (res) => {
                    res.resume();
                    res.on('end', resolve);
                  },
                );
                req.on('socket', (socket) => seen.add(socket));
                req.on('error', reject);
                req.end(body);
              }),
          ),
        );
        // Every connection now idles in the agent's pool, kept alive.
        await delay(200);
      } catch (error) {
        await server.stop();
        throw error;
      }
      const { exitCode, stopMs } = await server.stop();
      figures.push(
        `${variant.image}: SIGTERM with 8 idle keep-alive clients → exit ${exitCode} after ${Math.round(stopMs)} ms (docker stop, its own overhead included)`,
      );
      agent.destroy();
      expect(exitCode).toBe(0);
      // 1 s, plus what `docker stop` itself costs on a busy machine; a server that waits on idle
      // sockets takes the full 10 s and exits 137.
      expect(stopMs).toBeLessThan(2_500);
      expect(seen.size).toBeGreaterThan(0);
    }, 60_000);
  }
});

describeWithDocker('hardening: processes in the images', () => {
  it('owkit/reverse-string:ts-native reaps orphans re-parented to PID 1: no zombie piles up', async () => {
    const variant = variants.find((v) => v.id === 'ts-native');
    if (variant === undefined) throw new Error('no ts-native variant');
    await withServer(startVariant(variant, 'image'), async (server) => {
      await send(server.url, '/init', { body: initBody() });
      // A process started inside the container whose own parent then exits: the orphan is
      // re-parented to the container's PID 1, as what a handler spawns and forgets would be.
      const orphans = 5;
      await execa('docker', [
        'exec',
        server.containerId as string,
        '/usr/local/bin/node',
        '-e',
        `for (let i = 0; i < ${orphans}; i++) require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { detached: true, stdio: 'ignore' }).unref();`,
      ]);
      const containerProcesses = () => [
        { pid: server.pid, state: 'R' },
        ...descendantsOf(server.pid),
      ];
      await delay(1_000);
      const zombies = await pollUntil(
        () => containerProcesses().filter((p) => p.state === 'Z'),
        (found) => found.length === 0,
        3_000,
      );
      figures.push(
        `ts-native: ${orphans} orphans that exit after 300 ms → ${zombies.length} zombies 3 s later`,
      );
      expect(zombies).toEqual([]);
      const answer = await send(server.url, '/run', { body: runBody({ payload: 'reaped' }) });
      expect(answer.body).toBe(expectedBody('reaped'));
    });
  });

  for (const kind of ['blackbox', 'actionloop'] as const) {
    it(`${proxyBaseImages[kind]} under --read-only --tmpfs /tmp: /init with text code, and with a zip, then /run`, async () => {
      const readOnly = { dockerArgs: ['--read-only', '--tmpfs', '/tmp'] };
      await withServer(startBareProxy(kind, 'image', readOnly), async (server) => {
        const code = constantScript(kind, '{"text":"ran"}');
        const init = await send(server.url, '/init', {
          body: { value: { name: 'ro', main: 'main', binary: false, code } },
        });
        expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
        const run = await send(server.url, '/run', { body: runBody({}) });
        expect([run.status, run.body]).toEqual([200, '{"text":"ran"}']);
      });
      await withServer(startBareProxy(kind, 'image', readOnly), async (server) => {
        const zip = buildZip([
          { name: 'exec', data: constantScript(kind, '{"zip":"ran"}'), mode: 0o755 },
        ]);
        const init = await send(server.url, '/init', {
          body: { value: { name: 'ro', main: 'main', binary: true, code: zip.toString('base64') } },
        });
        expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
        const run = await send(server.url, '/run', { body: runBody({}) });
        expect([run.status, run.body]).toEqual([200, '{"zip":"ran"}']);
      });
    });
  }
});
