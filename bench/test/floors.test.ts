import { access, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startProcess } from '@owkit/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFloorBinaries } from '../src/images.js';
import { httpCall } from '../src/net.js';
import { FLOOR_BIN_DIR, FLOORS_DIR } from '../src/paths.js';
import { ACTIONLOOP_BINARY, BLACKBOX_BINARY, SYSTEM_PYTHON } from '../src/variants.js';
import { INIT_BODY, payloadOf, runBody } from '../src/workload.js';

const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

function countSentinelLines(text: string): number {
  return text.split('\n').filter((line) => line === SENTINEL).length;
}

const floors = [
  { name: 'floor-node', command: process.execPath, args: [resolve(FLOORS_DIR, 'node/server.mjs')] },
  { name: 'floor-go', command: join(FLOOR_BIN_DIR, 'floor-go'), args: [] },
];

beforeAll(async () => {
  await buildFloorBinaries();
}, 120_000);

describe.each(floors)('$name', ({ command, args }) => {
  it('reverses by code point and writes one sentinel per activation on each stream', async () => {
    const server = await startProcess(command, args);
    try {
      const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
      expect(init).toEqual({ status: 200, body: '{"ok":true}' });
      const run = await httpCall(`${server.url}/run`, { method: 'POST', body: runBody(60_000) });
      expect(run).toEqual({ status: 200, body: '{"reversed":"dlrow olleh"}' });
      const unicode = JSON.stringify({ value: { payload: 'a😀<b>\ud800' } });
      const second = await httpCall(`${server.url}/run`, { method: 'POST', body: unicode });
      expect(second.body).toBe('{"reversed":"\ufffd>b<😀a"}');
      const wrong = await httpCall(`${server.url}/run`, { method: 'POST', body: '{"value":{}}' });
      expect(wrong.body).toBe('{"error":"payload must be a string"}');
      const missing = await httpCall(`${server.url}/nope`, { method: 'POST', body: '{}' });
      expect(missing.status).toBe(404);
    } finally {
      await server.stop();
    }
    expect(countSentinelLines(server.stdout())).toBe(3);
    expect(countSentinelLines(server.stderr())).toBe(3);
  });

  it('writes no sentinel with OWKIT_FLOOR_SENTINELS=0', async () => {
    const server = await startProcess(command, args, { env: { OWKIT_FLOOR_SENTINELS: '0' } });
    try {
      const run = await httpCall(`${server.url}/run`, { method: 'POST', body: runBody(60_000) });
      expect(run.body).toBe('{"reversed":"dlrow olleh"}');
    } finally {
      await server.stop();
    }
    expect(server.stdout()).not.toContain(SENTINEL);
    expect(server.stderr()).not.toContain(SENTINEL);
  });
});

/** The children of a process, from /proc (empty once it has none). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')),
  );
  return lists.flatMap((list) => list.split(' ').filter(Boolean).map(Number));
}

// The peers' floors: the same blackbox and actionloop binaries the proxy variants run.
const peerFloors = [
  {
    name: 'floor-python-spawn',
    command: SYSTEM_PYTHON,
    args: [resolve(FLOORS_DIR, 'python/server.py'), BLACKBOX_BINARY],
    persistentChild: false,
  },
  {
    name: 'floor-go-pipe',
    command: join(FLOOR_BIN_DIR, 'floor-go-pipe'),
    args: [ACTIONLOOP_BINARY],
    persistentChild: true,
  },
];

describe.each(peerFloors)('$name', ({ command, args, persistentChild }) => {
  it('answers through the action binary, one sentinel per activation, no child left', async () => {
    const server = await startProcess(command, args);
    let children: number[] = [];
    try {
      const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
      expect(init).toEqual({ status: 200, body: '{"ok":true}' });
      const run = await httpCall(`${server.url}/run`, { method: 'POST', body: runBody(60_000) });
      expect(run).toEqual({ status: 200, body: '{"reversed":"dlrow olleh"}' });
      const big = payloadOf(200_000); // past the 128 KiB argv limit: stdin carries it
      const second = await httpCall(`${server.url}/run`, {
        method: 'POST',
        body: runBody(60_000, big.params),
      });
      expect(second).toEqual({ status: 200, body: big.expected });
      const wrong = await httpCall(`${server.url}/run`, { method: 'POST', body: '{"value":{}}' });
      expect(wrong.body).toBe('{"error":"payload must be a string"}');
      const missing = await httpCall(`${server.url}/nope`, { method: 'POST', body: '{}' });
      expect(missing.status).toBe(404);
      children = await childrenOf(server.pid);
      // ActionLoop keeps its one child; the spawn floor's children are gone once answered.
      expect(children.length).toBe(persistentChild ? 1 : 0);
    } finally {
      await server.stop();
    }
    expect(countSentinelLines(server.stdout())).toBe(3);
    expect(countSentinelLines(server.stderr())).toBe(3);
    for (const pid of children) {
      await expect(access(`/proc/${pid}`)).rejects.toThrow();
    }
  }, 30_000);
});
