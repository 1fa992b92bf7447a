/**
 * Faults inside the proxy images, under the invoker's limits: misbehaving children (the same
 * scripts as the process-level fault tests, run by the image's busybox), zip bombs and zips with
 * links that lead outside. Processes are counted inside the container through /proc: everything
 * below its PID 1 (tini), setsid'd orphans included, since they are re-parented to it.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { MESSAGES } from '@owkit/protocol';
import { runBody } from '@owkit/runtime/testing';
import { describeWithDocker } from '@owkit/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Answer, send } from '../src/client.js';
import { ContainerMemory, mib } from '../src/container-memory.js';
import { diskUsage, writableLayer } from '../src/disk.js';
import { faultScript, faultsByKind } from '../src/faults.js';
import { pollUntil } from '../src/poll.js';
import { descendantsOf } from '../src/procfs.js';
import { constantScript } from '../src/scripts.js';
import { type Server, startBareProxy } from '../src/servers.js';
import { proxyBaseImages } from '../src/variants.js';
import { buildZip, deflatedZeros, type ZipEntry } from '../src/zip.js';

const BINARY_FAILED = JSON.stringify({ error: MESSAGES.binaryFailed });
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`fault figures (images):\n  ${figures.join('\n  ')}`);
});

const zipInit = (entries: readonly ZipEntry[]) => ({
  value: { name: 'zip', main: 'main', binary: true, code: buildZip(entries).toString('base64') },
});

type DiskUsage = ReturnType<typeof diskUsage>;

interface Refused {
  answer: Answer;
  ms: number;
  /** The container's writable layer before /init, at its peak while unpacking, and once settled. */
  before: DiskUsage;
  peakBytes: number;
  after: DiskUsage;
  memoryPeakBytes: number;
}

/**
 * Sends `entries` as zip code to /init of a fresh proxy image, watching its writable layer
 * (sampled every 100 ms) and its memory, and checks what every such zip must get: 502 within
 * 30 s, and nothing matching `leftover` left on disk. `whileRunning` may ask more of the server
 * before it stops.
 */
async function refuseZip(
  kind: 'blackbox' | 'actionloop',
  entries: readonly ZipEntry[],
  leftover: RegExp,
  whileRunning?: (server: Server) => Promise<void>,
): Promise<Refused> {
  const server = await startBareProxy(kind, 'image');
  try {
    const memory = new ContainerMemory(server.containerId as string);
    const layer = await writableLayer(server.containerId as string);
    const before = diskUsage(layer);
    let peakBytes = before.bytes;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakBytes = Math.max(peakBytes, diskUsage(layer).bytes);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await memory.resetPeak();
    const startedAt = performance.now();
    const answer = await send(server.url, '/init', { body: zipInit(entries), timeoutMs: 60_000 });
    const ms = performance.now() - startedAt;
    sampling = false;
    await sampler;
    const after = await pollUntil(
      () => diskUsage(layer),
      (usage) => !usage.paths.some((p) => leftover.test(p)),
      5_000,
    );
    expect([answer.status, answer.body]).toEqual([502, BINARY_FAILED]);
    expect(ms).toBeLessThan(30_000);
    expect(after.paths.filter((p) => leftover.test(p))).toEqual([]);
    const memoryPeakBytes = await memory.peakBytes();
    await whileRunning?.(server);
    return { answer, ms, before, peakBytes, after, memoryPeakBytes };
  } finally {
    await server.stop();
  }
}

for (const kind of ['blackbox', 'actionloop'] as const) {
  describeWithDocker(`faults in ${proxyBaseImages[kind]}`, () => {
    let proxy: Server;
    let baseline: number;
    const living = () => descendantsOf(proxy.pid).filter((p) => p.state !== 'Z');
    const good = async () => {
      const answer = await send(proxy.url, '/run', { body: runBody({}, { actionName: 'ok' }) });
      expect([answer.status, answer.body]).toEqual([200, '{"ok":true}']);
    };

    beforeAll(async () => {
      proxy = await startBareProxy(kind, 'image');
      const init = await send(proxy.url, '/init', {
        body: { value: { name: 'faults', main: 'main', binary: false, code: faultScript(kind) } },
      });
      expect(init.body).toBe('{"ok":true}');
      await good();
      baseline = (await pollUntil(living, (p) => p.length <= (kind === 'actionloop' ? 2 : 1)))
        .length;
    });
    afterAll(async () => {
      if (proxy !== undefined) expect((await proxy.stop()).exitCode).toBe(0);
    });

    for (const fault of faultsByKind[kind]) {
      it(`${fault.name} (${fault.does}) → ${fault.status}, then serves, and no process outlives the activation`, async () => {
        const body = runBody(fault.params ?? {}, {
          actionName: `fault-${fault.name}`,
          ...(fault.deadlineMs === undefined ? {} : { deadlineMs: fault.deadlineMs }),
        });
        const answer = await send(proxy.url, '/run', { body });
        expect(answer.status).toBe(fault.status);
        if (typeof fault.body === 'string') expect(answer.body).toBe(fault.body);
        else expect(answer.body).toMatch(fault.body);
        await good();
        const left = await pollUntil(living, (p) => p.length === baseline);
        expect(left.map((p) => `${p.pid} ${p.name}`)).toHaveLength(baseline);
        expect(descendantsOf(proxy.pid).filter((p) => p.state === 'Z')).toEqual([]);
      });
    }
  });

  describeWithDocker(`zips that must not unpack, ${proxyBaseImages[kind]}`, () => {
    const bombExec = { name: 'exec', data: constantScript(kind, '{"bomb":"ran"}'), mode: 0o755 };

    it('a zip bomb (20 entries of 100 MiB of zeros, 2 GB+ unpacked) → 502 within seconds, nothing of it left on disk', async () => {
      const bomb = deflatedZeros(100 * 1024 * 1024);
      const entries: ZipEntry[] = [bombExec];
      for (let i = 0; i < 20; i++) {
        entries.push({ name: `bomb-${i}.bin`, data: bomb.data, deflated: bomb });
      }
      const unpacked = await refuseZip(kind, entries, /bomb-|owkit-unpack/, async (server) => {
        const run = await send(server.url, '/run', { body: runBody({}) });
        expect(run.body).not.toContain('bomb');
      });
      const { answer, ms, before, peakBytes, after, memoryPeakBytes } = unpacked;
      figures.push(
        `${proxyBaseImages[kind]}: zip bomb (${mib(buildZip(entries).length)} zip, ${mib(20 * bomb.size)} declared) → ${answer.status} in ${Math.round(ms)} ms; writable layer ${mib(before.bytes)} → peak ${mib(peakBytes)} (sampled every 100 ms) → ${mib(after.bytes)} after; memory peak ${mib(memoryPeakBytes)}`,
      );
      expect(after.bytes).toBeLessThan(before.bytes + 1024 * 1024);
    }, 120_000);

    it('a zip bomb that lies (each entry declares 1 KiB and inflates to 100 MiB) → 502 within seconds, nothing of it left on disk', async () => {
      const bomb = deflatedZeros(100 * 1024 * 1024);
      const declared = { size: 1024, crc: deflatedZeros(1024).crc };
      const entries: ZipEntry[] = [bombExec];
      for (let i = 0; i < 20; i++) {
        entries.push({ name: `bomb-${i}.bin`, data: bomb.data, deflated: declared });
      }
      const { answer, ms, before, after } = await refuseZip(kind, entries, /bomb-|owkit-unpack/);
      figures.push(
        `${proxyBaseImages[kind]}: lying zip bomb (20 × 1 KiB declared, 20 × 100 MiB inside) → ${answer.status} in ${Math.round(ms)} ms; writable layer ${mib(before.bytes)} → ${mib(after.bytes)} after`,
      );
      expect(after.bytes).toBeLessThan(before.bytes + 1024 * 1024);
    }, 120_000);

    it('an entry-count bomb (120,000 empty files, past the 100,000-entry cap) → 502, nothing of it left on disk', async () => {
      const entries: ZipEntry[] = [bombExec];
      for (let i = 0; i < 120_000; i++) entries.push({ name: `many-${i}`, data: '' });
      const { answer, ms, before, after } = await refuseZip(kind, entries, /many-|owkit-unpack/);
      figures.push(
        `${proxyBaseImages[kind]}: entry-count bomb (${mib(buildZip(entries).length)} zip, 120,001 entries) → ${answer.status} in ${Math.round(ms)} ms; paths new in the writable layer: ${after.paths.filter((p) => !before.paths.includes(p)).join(', ') || 'none'}`,
      );
    }, 120_000);

    const marker = `owkit-link-${randomUUID().slice(0, 8)}`;
    const exec = { name: 'exec', data: constantScript(kind, '{"links":"ran"}'), mode: 0o755 };
    const linkZips: { name: string; entries: ZipEntry[] }[] = [
      {
        name: 'a link to an absolute path outside',
        entries: [exec, { name: 'passwd', data: '/etc/passwd', symlink: true }],
      },
      {
        name: 'a link that climbs out',
        entries: [exec, { name: 'up', data: '../../../../../tmp', symlink: true }],
      },
      {
        name: 'a dangling link pointing outside',
        entries: [exec, { name: 'dangling', data: `/nonexistent/${marker}`, symlink: true }],
      },
      {
        name: 'a link to /tmp, then a file written through it',
        entries: [
          exec,
          { name: 'out', data: '/tmp', symlink: true },
          { name: `out/${marker}`, data: 'escaped' },
        ],
      },
    ];
    for (const zip of linkZips) {
      it(`${zip.name} → 502, nothing written outside the action folder`, async () => {
        const server = await startBareProxy(kind, 'image');
        try {
          const answer = await send(server.url, '/init', { body: zipInit(zip.entries) });
          expect([answer.status, answer.body]).toEqual([502, BINARY_FAILED]);
          expect(existsSync(`/proc/${server.pid}/root/tmp/${marker}`)).toBe(false);
        } finally {
          await server.stop();
        }
      });
    }
  });
}
