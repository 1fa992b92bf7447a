import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '@owkit/runtime/testing';
import { describeWithDocker, startContainer, startProcess } from '@owkit/testkit';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageAction } from '../src/package/package.js';
import { REPO_ROOT, runBin } from './fixtures.js';

const PROXY = join(REPO_ROOT, 'packages', 'sdk-proxy', 'dist', 'owkit-proxy.mjs');

/** The `/init` body dockerskeleton gets for `wsk action create X --native exec.zip`. */
const nativeInit = (zip: Buffer) => ({
  value: { name: 'reverse', main: 'main', code: zip.toString('base64'), binary: true, env: {} },
});

const CENTRAL_HEADER = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

/** Name, "version made by" host and Unix mode of each central directory entry. */
function centralEntries(zip: Buffer): { name: string; madeBy: number; mode: number }[] {
  const entries = [];
  for (let at = zip.indexOf(CENTRAL_HEADER); at !== -1; at = zip.indexOf(CENTRAL_HEADER, at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      madeBy: zip.readUInt8(at + 5),
      mode: zip.readUInt32LE(at + 38) >>> 16,
    });
  }
  return entries;
}

describe('pnpm package', () => {
  let dir: string;
  let zipPath: string;
  let zip: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'owkit-package-'));
    zipPath = join(dir, 'exec.zip');
    const packaged = await packageAction(
      { action: 'reverse-string-go', out: zipPath, build: false, help: false },
      REPO_ROOT,
      () => undefined,
    );
    expect(packaged.path).toBe(zipPath);
    zip = await readFile(zipPath);
    expect(packaged.zipBytes).toBe(zip.length);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the blackbox binary alone, as exec at the root, mode 0755 from a Unix host', async () => {
    const binary = await readFile(
      join(REPO_ROOT, 'actions', 'reverse-string-go', 'bin', 'blackbox'),
    );
    expect(Object.keys(unzipSync(zip))).toEqual(['exec']);
    expect(Buffer.from(unzipSync(zip).exec as Uint8Array).equals(binary)).toBe(true);
    expect(centralEntries(zip)).toEqual([{ name: 'exec', madeBy: 3, mode: 0o100755 }]);
  });

  it('is the same zip every time for the same binary', async () => {
    const again = join(dir, 'again.zip');
    await packageAction(
      { action: 'reverse-string-go', out: again, build: false, help: false },
      REPO_ROOT,
      () => undefined,
    );
    expect((await readFile(again)).equals(zip)).toBe(true);
  });

  it('runs in the proxy as dockerskeleton receives it: /init with the zip, then /run', async () => {
    const actionDir = await mkdtemp(join(tmpdir(), 'owkit-package-action-'));
    const proxy = await startProcess(process.execPath, [
      PROXY,
      '--mode',
      'blackbox',
      '--exec',
      join(actionDir, 'exec'),
    ]);
    try {
      const init = await request(proxy.url, '/init', nativeInit(zip));
      expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
      const run = await request(proxy.url, '/run', { value: { payload: 'hello' } });
      expect([run.status, run.body]).toEqual([200, '{"reversed":"olleh"}']);
    } finally {
      await proxy.stop();
      await rm(actionDir, { recursive: true, force: true });
    }
  });

  it('refuses an action without a Go blackbox binary, in one line', async () => {
    const result = await runBin('package', ['reverse-string']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^package: actions\/reverse-string has no go-blackbox style \(no Go binary for --native to run\): deploy owkit\/reverse-string:ts-native with --docker instead \(docs\/deploy\.md\)$/,
    );
  });
});

describeWithDocker('pnpm package on the proxy image', () => {
  it('runs the zip in owkit/sdk-proxy:blackbox, the blackbox base image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owkit-package-image-'));
    const zipPath = join(dir, 'exec.zip');
    await packageAction(
      { action: 'reverse-string-go', out: zipPath, build: false, help: false },
      REPO_ROOT,
      () => undefined,
    );
    const container = await startContainer('owkit/sdk-proxy:blackbox');
    try {
      const init = await request(container.url, '/init', nativeInit(await readFile(zipPath)));
      expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
      const run = await request(container.url, '/run', { value: { payload: 'abc' } });
      expect([run.status, run.body]).toEqual([200, '{"reversed":"cba"}']);
    } finally {
      await container.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
