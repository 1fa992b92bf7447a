import { randomUUID } from 'node:crypto';
import { runBody } from '@owkit/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../src/client.js';
import { faultScript, faultsByKind } from '../src/faults.js';
import { pollUntil } from '../src/poll.js';
import { descendantsOf, isAlive, processesWithEnv, rssBytes } from '../src/procfs.js';
import { type Server, startBareProxy } from '../src/servers.js';

const MARKER = 'OWKIT_FAULT_MARKER';
/**
 * How far above its warmed-up baseline the proxy's RSS may stay once a fault is over: the two
 * floods each fill one 16 MiB output cap, and V8 keeps heap it has grown rather than return it.
 */
const RSS_SLACK_BYTES = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

const figures: string[] = [];

for (const kind of ['blackbox', 'actionloop'] as const) {
  describe(`faults: ${kind} proxy`, () => {
    const marker = randomUUID();
    let proxy: Server;
    let baseline: { processes: number; rss: number };

    /** Every process carrying the marker but the proxy: its children, and orphans re-parented away. */
    const strays = () => processesWithEnv(MARKER, marker).filter((pid) => pid !== proxy.pid);
    const good = async () => {
      const answer = await send(proxy.url, '/run', { body: runBody({}, { actionName: 'ok' }) });
      expect([answer.status, answer.body]).toEqual([200, '{"ok":true}']);
    };

    beforeAll(async () => {
      proxy = await startBareProxy(kind, 'process', { env: { [MARKER]: marker } });
      const init = await send(proxy.url, '/init', {
        body: { value: { name: 'faults', main: 'main', binary: false, code: faultScript(kind) } },
      });
      expect(init.body).toBe('{"ok":true}');
      for (let i = 0; i < 30; i++) await good();
      baseline = { processes: strays().length, rss: rssBytes(proxy.pid) };
      expect(baseline.processes).toBe(kind === 'actionloop' ? 1 : 0);
    });

    afterAll(async () => {
      if (proxy === undefined) return;
      const { exitCode } = await proxy.stop();
      expect(exitCode).toBe(0);
      const left = await pollUntil(strays, (pids) => pids.length === 0);
      expect(left).toEqual([]);
    });

    for (const fault of faultsByKind[kind]) {
      it(`${fault.name} (${fault.does}) → ${fault.status}, then serves, no stray process, RSS near baseline`, async () => {
        const body = runBody(fault.params ?? {}, {
          actionName: `fault-${fault.name}`,
          ...(fault.deadlineMs === undefined ? {} : { deadlineMs: fault.deadlineMs }),
        });
        const answer = await send(proxy.url, '/run', { body });
        expect(answer.status).toBe(fault.status);
        if (typeof fault.body === 'string') expect(answer.body).toBe(fault.body);
        else expect(answer.body).toMatch(fault.body);

        expect(isAlive(proxy.pid)).toBe(true);
        await good();
        const processes = await pollUntil(strays, (pids) => pids.length === baseline.processes);
        expect(processes.length, `strays: ${processes.join(',')}`).toBe(baseline.processes);
        expect(descendantsOf(proxy.pid).filter((p) => p.state === 'Z')).toEqual([]);
        const rss = await pollUntil(
          () => rssBytes(proxy.pid),
          (bytes) => bytes <= baseline.rss + RSS_SLACK_BYTES,
        );
        figures.push(
          `${kind} ${fault.name}: ${answer.status}; RSS ${(baseline.rss / MiB).toFixed(1)} → ${(rss / MiB).toFixed(1)} MiB`,
        );
        expect(rss).toBeLessThanOrEqual(baseline.rss + RSS_SLACK_BYTES);
      });
    }

    // V8 may keep the heap it grew to hold one capped output (16 MiB per stream) without leaking:
    // a fault that leaked what it printed (100 MB) would still be far past this.
    const LEAK_SLACK_BYTES = 32 * MiB;

    it('a second round of every fault: RSS stays within 32 MiB of the first round (no leak per fault)', async () => {
      const afterFirstRound = rssBytes(proxy.pid);
      for (const fault of faultsByKind[kind]) {
        const body = runBody(fault.params ?? {}, {
          actionName: `fault-${fault.name}`,
          ...(fault.deadlineMs === undefined ? {} : { deadlineMs: fault.deadlineMs }),
        });
        expect((await send(proxy.url, '/run', { body })).status).toBe(fault.status);
      }
      await good();
      const rss = await pollUntil(
        () => rssBytes(proxy.pid),
        (bytes) => bytes <= afterFirstRound + LEAK_SLACK_BYTES,
      );
      figures.push(
        `${kind} second round: RSS ${(afterFirstRound / MiB).toFixed(1)} → ${(rss / MiB).toFixed(1)} MiB`,
      );
      expect(rss).toBeLessThanOrEqual(afterFirstRound + LEAK_SLACK_BYTES);
      expect(await pollUntil(strays, (p) => p.length === baseline.processes)).toHaveLength(
        baseline.processes,
      );
    });

    it('SIGTERM while an activation that ignores SIGTERM runs: it is cut at its deadline, the proxy exits 0, nothing is left', async () => {
      const inFlight = send(proxy.url, '/run', {
        body: runBody({}, { actionName: 'fault-ignore-sigterm', deadlineMs: 1_000 }),
      });
      await pollUntil(strays, (pids) => pids.length > baseline.processes, 2_000);
      const { exitCode } = await proxy.stop();
      expect(exitCode).toBe(0);
      const answer = await inFlight.catch((error: Error) => error);
      // Either it got its deadline answer before the server closed, or the connection was cut.
      if (!(answer instanceof Error)) expect(answer.status).toBe(502);
      const left = await pollUntil(strays, (pids) => pids.length === 0);
      expect(left).toEqual([]);
      proxy = undefined as unknown as Server;
    });
  });
}

describe('faults: actionloop proxy whose action exits before reading stdin', () => {
  it('with __OW_WAIT_FOR_ACK: /init → 502 "could not start"; without: /run → 502, and the proxy keeps serving', async () => {
    const code = '#!/bin/sh\nexit 0\n';
    const init = { value: { name: 'x', main: 'main', binary: false, code } };
    const withAck = await startBareProxy('actionloop', 'process', {
      env: { __OW_WAIT_FOR_ACK: '1' },
    });
    try {
      const answer = await send(withAck.url, '/init', { body: init });
      expect([answer.status, answer.body]).toEqual([
        502,
        '{"error":"The action process could not start. See logs for details."}',
      ]);
      expect((await send(withAck.url, '/run', { body: 'not json' })).status).toBe(400);
    } finally {
      expect((await withAck.stop()).exitCode).toBe(0);
    }
    const withoutAck = await startBareProxy('actionloop', 'process');
    try {
      await send(withoutAck.url, '/init', { body: init });
      for (let i = 0; i < 3; i++) {
        const answer = await send(withoutAck.url, '/run', { body: runBody({}) });
        expect(answer.status).toBe(502);
      }
      expect(
        descendantsOf(withoutAck.pid).filter((p) => p.state !== 'Z').length,
      ).toBeLessThanOrEqual(1);
    } finally {
      expect((await withoutAck.stop()).exitCode).toBe(0);
    }
  });
});

afterAll(() => {
  if (figures.length > 0) console.log(`fault figures:\n  ${figures.join('\n  ')}`);
});
