import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MESSAGES, SENTINEL } from '@owkit/protocol';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import { type Zippable, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { nodeExecutable, startProxy, tempDir } from './helpers.js';

const encoder = new TextEncoder();
const readsDataFile = `#!/usr/bin/env node
console.log(JSON.stringify({ data: require('fs').readFileSync('lib/data.txt', 'utf8') }));
`;

/** Unix mode bits in a zip entry's external attributes, as `zip` on Linux writes them. */
function entry(text: string, mode = 0o100644): [Uint8Array, { os: number; attrs: number }] {
  return [encoder.encode(text), { os: 3, attrs: (mode << 16) >>> 0 }];
}

function zipCode(files: Zippable): Record<string, unknown> {
  return {
    value: {
      name: 'zipped',
      main: 'main',
      binary: true,
      code: Buffer.from(zipSync(files)).toString('base64'),
    },
  };
}

async function proxyInEmptyFolder(
  options: { unzipMaxBytes?: number; unzipMaxEntries?: number } = {},
) {
  const dir = await tempDir();
  const actionDir = join(dir, 'action');
  const proxy = await startProxy({ exec: join(actionDir, 'exec'), ...options });
  return { ...proxy, dir, actionDir };
}

/** What a failed /init left in the action folder and its parent (a fresh temp folder). */
async function leftovers(proxy: { dir: string; actionDir: string }): Promise<string[]> {
  const inAction = existsSync(proxy.actionDir) ? await readdir(proxy.actionDir) : [];
  const beside = (await readdir(proxy.dir)).filter((name) => name !== 'action');
  return [...inAction, ...beside];
}

describe('/init with text code', () => {
  it('writes the executable with mode 0755 and runs it; a second /init is refused', async () => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(proxy.url, '/init', {
      value: { name: 'sh', main: 'main', binary: false, code: `#!/bin/sh\necho '{"ok":1}'\n` },
    });
    expect(init.status).toBe(200);
    expect(init.json).toEqual({ ok: true });
    expect((await stat(join(proxy.actionDir, 'exec'))).mode & 0o777).toBe(0o755);
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: 1 });
    const again = await request(proxy.url, '/init', initBody());
    expect(again.status).toBe(403);
    expect(again.json).toEqual({ error: MESSAGES.reinit });
  });
});

describe('/init without code', () => {
  it('accepts an executable that is already there', async () => {
    const dir = await tempDir();
    const exec = await nodeExecutable(dir, `console.log('{}')`);
    const proxy = await startProxy({ exec });
    expect((await request(proxy.url, '/init', initBody())).status).toBe(200);
  });

  it('answers 502 when there is none, with the cause and a sentinel pair in the logs', async () => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(proxy.url, '/init', initBody());
    expect(init.status).toBe(502);
    expect(init.json).toEqual({ error: MESSAGES.binaryFailed });
    expect(proxy.logs.stdoutText()).toMatch(new RegExp(`does not exist\\n${SENTINEL}\\n$`));
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });
});

describe('/init with a zip', () => {
  it('unpacks it next to the executable and runs exec from there', async () => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(
      proxy.url,
      '/init',
      zipCode({ exec: entry(readsDataFile), lib: { 'data.txt': entry('from the zip') } }),
    );
    expect(init.status).toBe(200);
    expect((await stat(join(proxy.actionDir, 'exec'))).mode & 0o777).toBe(0o755);
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ data: 'from the zip' });
  });

  it('keeps a link that stays inside the action folder', async () => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(
      proxy.url,
      '/init',
      zipCode({
        exec: entry(readsDataFile),
        lib: { 'real.txt': entry('through a link'), 'data.txt': entry('real.txt', 0o120777) },
      }),
    );
    expect(init.status).toBe(200);
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({
      data: 'through a link',
    });
  });

  it.each([
    ['a zip without exec', { bin: { exec: entry(readsDataFile) } }, /holds no exec/],
    ['a path that climbs out', { exec: entry(readsDataFile), '../escaped': entry('x') }, /path/],
    ['an absolute path', { exec: entry(readsDataFile), '/tmp/owkit-abs': entry('x') }, /path/],
    [
      'a link that points out',
      { exec: entry(readsDataFile), out: entry('../../..', 0o120777) },
      /escapes|outside/,
    ],
    [
      'a link to an absolute path',
      { exec: entry(readsDataFile), out: entry('/etc', 0o120777) },
      /absolute/,
    ],
    [
      'links that lead out only together',
      {
        exec: entry(readsDataFile),
        sub: { up: entry('..', 0o120777) },
        out: entry('sub/up/..', 0o120777),
      },
      /outside/,
    ],
  ])('refuses %s with 502', async (_name, files, cause) => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(proxy.url, '/init', zipCode(files as Zippable));
    expect(init.status).toBe(502);
    expect(init.json).toEqual({ error: MESSAGES.binaryFailed });
    expect(proxy.logs.stdoutText()).toMatch(cause);
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
    expect(existsSync(join(proxy.dir, 'escaped'))).toBe(false);
  });

  it('leaves no link behind when it refuses one', async () => {
    const proxy = await proxyInEmptyFolder();
    const files = {
      exec: entry(readsDataFile),
      sub: { up: entry('..', 0o120777) },
      out: entry('sub/up/..', 0o120777),
    };
    expect((await request(proxy.url, '/init', zipCode(files))).status).toBe(502);
    await expect(lstat(join(proxy.actionDir, 'sub', 'up'))).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ['invalid base64', '@@not base64@@', /not valid base64/],
    ['base64 that is not a zip', Buffer.from('hello').toString('base64'), /not a usable zip/],
  ])('refuses %s with 502', async (_name, code, cause) => {
    const proxy = await proxyInEmptyFolder();
    const init = await request(proxy.url, '/init', {
      value: { name: 'x', main: 'main', binary: true, code },
    });
    expect(init.status).toBe(502);
    expect(init.json).toEqual({ error: MESSAGES.binaryFailed });
    expect(proxy.logs.stdoutText()).toMatch(cause);
  });

  it('can be retried after a failed /init', async () => {
    const proxy = await proxyInEmptyFolder();
    expect((await request(proxy.url, '/init', zipCode({ nothing: entry('') }))).status).toBe(502);
    const retry = await request(proxy.url, '/init', zipCode({ exec: entry(readsDataFile) }));
    expect(retry.status).toBe(200);
    expect(await readFile(join(proxy.actionDir, 'exec'), 'utf8')).toBe(readsDataFile);
  });
});

describe('/init code as the request carried it', () => {
  it('decodes base64 wrapped in lines and written with JSON escapes', async () => {
    const proxy = await proxyInEmptyFolder();
    const base64 = Buffer.from(
      zipSync({ exec: entry(readsDataFile), lib: { 'data.txt': entry('é/ü') } }),
    ).toString('base64');
    // Wrapped at 76 columns as `base64` prints it, every "/" escaped and one digit as \u0041-style.
    const wrapped = (base64.match(/.{1,76}/g) as string[]).join('\n');
    const literal = JSON.stringify(wrapped).replaceAll('/', '\\/').replace('A', '\\u0041');
    const body = `{"value":{"name":"z","main":"main","binary":true,"code":${literal}}}`;
    const init = await request(proxy.url, '/init', body);
    expect(init.status).toBe(200);
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ data: 'é/ü' });
  });

  it('writes text code with its escapes decoded to UTF-8', async () => {
    const proxy = await proxyInEmptyFolder();
    const body = `{"value":{"name":"t","main":"main","binary":false,"code":"#!/bin/sh\\necho '{\\"word\\":\\"caf\\u00e9 \\ud83d\\ude00\\"}'\\n"}}`;
    expect((await request(proxy.url, '/init', body)).status).toBe(200);
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ word: 'café 😀' });
  });
});

describe('/init zip caps and clean-up', () => {
  it('refuses a zip bomb from its directory alone, before writing anything', async () => {
    const proxy = await proxyInEmptyFolder({ unzipMaxBytes: 1024 * 1024 });
    const bomb = new Uint8Array(64 * 1024 * 1024);
    const started = Date.now();
    const init = await request(
      proxy.url,
      '/init',
      zipCode({ exec: entry(readsDataFile), bomb: [bomb, {}] }),
    );
    expect(init.status).toBe(502);
    expect(init.json).toEqual({ error: MESSAGES.binaryFailed });
    expect(proxy.logs.stdoutText()).toMatch(/more than 1048576 bytes \(--unzip-max-bytes\)/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await leftovers(proxy)).toEqual([]);
  });

  it('refuses a zip with more entries than allowed', async () => {
    const proxy = await proxyInEmptyFolder({ unzipMaxEntries: 3 });
    const files: Zippable = { exec: entry(readsDataFile) };
    for (let i = 0; i < 5; i++) files[`f${i}`] = entry('x');
    const init = await request(proxy.url, '/init', zipCode(files));
    expect(init.status).toBe(502);
    expect(proxy.logs.stdoutText()).toMatch(/6 entries, over the limit of 3/);
    expect(await leftovers(proxy)).toEqual([]);
  });

  it('removes every entry already written when a later one is corrupt', async () => {
    const proxy = await proxyInEmptyFolder();
    const zip = Buffer.from(
      zipSync({ exec: entry(readsDataFile), lib: { 'data.txt': entry('x'.repeat(100_000)) } }),
    );
    // Break the second entry's deflate stream, just past its local header and name.
    const second = zip.indexOf('lib/data.txt') + 'lib/data.txt'.length;
    zip.fill(0xff, second + 4, second + 40);
    const init = await request(proxy.url, '/init', {
      value: { name: 'z', main: 'main', binary: true, code: zip.toString('base64') },
    });
    expect(init.status).toBe(502);
    expect(proxy.logs.stdoutText()).toMatch(/not a usable zip/);
    expect(await leftovers(proxy)).toEqual([]);
  });

  it('refuses a dangling link whose way out shows only when links are followed', async () => {
    const proxy = await proxyInEmptyFolder();
    // Written down, here/../../x stays inside; followed, here is the folder itself and .. leaves.
    const files = {
      exec: entry(readsDataFile),
      here: entry('.', 0o120777),
      out: entry('here/../not-there-yet', 0o120777),
    };
    const init = await request(proxy.url, '/init', zipCode(files));
    expect(init.status).toBe(502);
    expect(proxy.logs.stdoutText()).toMatch(/out: link resolves outside/);
    expect(await leftovers(proxy)).toEqual([]);
  });
});
