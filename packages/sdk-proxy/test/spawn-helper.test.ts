import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { MESSAGES } from '@owkit/protocol';
import { request, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { MAX_ARGUMENT_BYTES } from '../src/index.js';
import { defaultSpawnHelperPath } from '../src/spawn-helper.js';
import { nodeExecutable, startProxy, tempDir } from './helpers.js';

/** Answers with the name of its parent process and its own oom_score_adj. */
const WHO_STARTED_ME = `
const fs = require('node:fs');
const parent = fs.readFileSync('/proc/' + process.ppid + '/comm', 'utf8').trim();
const oom = fs.readFileSync('/proc/self/oom_score_adj', 'utf8').trim();
console.log(JSON.stringify({ parent, oom, parentPid: process.ppid }));
`;

async function proxyWith(spawnHelper?: string) {
  const dir = await tempDir();
  const exec = await nodeExecutable(dir, WHO_STARTED_ME);
  return startProxy({ exec, ...(spawnHelper === undefined ? {} : { spawnHelper }) });
}

describe('the spawn helper (owkit-spawn)', () => {
  it('is built beside the proxy', () => {
    const path = defaultSpawnHelperPath();
    expect(path).toMatch(/owkit-spawn$/);
    expect(existsSync(path as string)).toBe(true);
  });

  it('starts each child by default, with oom_score_adj 1000', async () => {
    const proxy = await proxyWith();
    const first = await request(proxy.url, '/run', runBody({}));
    const second = await request(proxy.url, '/run', runBody({}));
    expect(first.json).toMatchObject({ parent: 'owkit-spawn', oom: '1000' });
    // One resident helper serves every activation.
    expect((second.json as { parentPid: number }).parentPid).toBe(
      (first.json as { parentPid: number }).parentPid,
    );
  });

  it('is bypassed with --spawn-helper off: Node spawns the child', async () => {
    const proxy = await proxyWith('off');
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.json).toMatchObject({ parent: 'node', oom: '1000' });
  });

  it('leaves params that only fit on stdin to Node, so that no third copy is held', async () => {
    const proxy = await proxyWith();
    const big = { pad: 'x'.repeat(MAX_ARGUMENT_BYTES) };
    const response = await request(proxy.url, '/run', runBody(big));
    expect(response.json).toMatchObject({ parent: 'node' });
  });

  it('a helper that dies fails only the activations it held; the next one gets a new helper', async () => {
    const dir = await tempDir();
    const exec = await nodeExecutable(
      dir,
      `const p = JSON.parse(process.argv[2]);
       if (p.killParent) { process.kill(process.ppid, 'SIGKILL'); setTimeout(() => {}, 5000); }
       else console.log(JSON.stringify({ parentPid: process.ppid }));`,
    );
    const proxy = await startProxy({ exec });
    const before = await request(proxy.url, '/run', runBody({}));
    const killed = await request(proxy.url, '/run', runBody({ killParent: true }));
    expect(killed.status).toBe(502);
    expect(killed.json).toEqual({ error: MESSAGES.binaryMissing });
    const after = await request(proxy.url, '/run', runBody({}));
    expect(after.status).toBe(200);
    const pid = (answer: typeof before) => (answer.json as { parentPid: number }).parentPid;
    expect(pid(after)).not.toBe(pid(before));
    // The first helper is gone, not a zombie held by the proxy.
    await expect(readFile(`/proc/${pid(before)}/comm`, 'utf8')).rejects.toThrow();
  });
});
