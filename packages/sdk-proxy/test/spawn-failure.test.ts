import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { MESSAGES } from '@owkit/protocol';
import { request, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { PROXY_MESSAGES } from '../src/index.js';
import { startProxy, tempDir } from './helpers.js';
import { shellExecutable } from './shell.js';

const SECRET = 'hunter2-do-not-log';

/** Init env values the kernel cannot take, each with what the logs must say instead. */
const BAD_ENV: Array<[string, Record<string, string>, RegExp]> = [
  ['a NUL byte in a value', { API_SECRET: `${SECRET}\0tail` }, /"API_SECRET" holds a NUL byte/],
  [
    'a value over 128 KiB',
    { API_SECRET: SECRET + 'x'.repeat(200 * 1024) },
    /"API_SECRET" is \d+ bytes .*E2BIG/,
  ],
];

const initWithEnv = (env: Record<string, string>) => ({
  value: { name: 'a', main: 'main', binary: false, env },
});

async function proxyFor(mode: 'blackbox' | 'actionloop', script: string) {
  const dir = await tempDir();
  const exec = await shellExecutable(dir, script);
  return { ...(await startProxy({ exec, mode })), exec };
}

const LOOP_ECHO = 'while read -r line; do echo \'{"ok":true}\' >&3; done';

describe('blackbox: a child that cannot be spawned', () => {
  it.each(BAD_ENV)(
    'answers /run 502 for %s, names the variable, never its value',
    async (_name, env, cause) => {
      const proxy = await proxyFor('blackbox', `echo '{"ok":true}'`);
      expect((await request(proxy.url, '/init', initWithEnv(env))).status).toBe(200);
      const run = await request(proxy.url, '/run', runBody({}));
      expect(run.status).toBe(502);
      expect(run.json).toEqual({ error: MESSAGES.binaryMissing });
      const logs = proxy.logs.stdoutText() + proxy.logs.stderrText();
      expect(logs).toMatch(cause);
      expect(logs).not.toContain(SECRET);
      expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
    },
  );

  it('answers 502 for an executable without the x bit', async () => {
    const proxy = await proxyFor('blackbox', `echo '{"ok":true}'`);
    await chmod(proxy.exec, 0o644);
    const run = await request(proxy.url, '/run', runBody({}));
    expect(run.json).toEqual({ error: MESSAGES.binaryMissing });
    expect(proxy.logs.stdoutText()).toMatch(/EACCES/);
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });
});

describe('actionloop: a child that cannot be spawned', () => {
  it.each(BAD_ENV)(
    'answers /init 502 for %s, names the variable, never its value',
    async (_name, env, cause) => {
      const proxy = await proxyFor('actionloop', LOOP_ECHO);
      const init = await request(proxy.url, '/init', initWithEnv(env));
      expect(init.status).toBe(502);
      expect(init.json).toEqual({ error: PROXY_MESSAGES.couldNotStart });
      const logs = proxy.logs.stdoutText() + proxy.logs.stderrText();
      expect(logs).toMatch(cause);
      expect(logs).not.toContain(SECRET);
      expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
    },
  );

  it('answers /run 502 with the sentinels when the executable is missing', async () => {
    const dir = await tempDir();
    const proxy = await startProxy({ exec: join(dir, 'missing'), mode: 'actionloop' });
    const run = await request(proxy.url, '/run', runBody({}));
    expect(run.json).toEqual({ error: MESSAGES.binaryMissing });
    expect(proxy.logs.stderrText()).toMatch(/ENOENT/);
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });
});

describe('actionloop: a queued activation keeps its own deadline', () => {
  it('answers 502 at its deadline while the child is still busy with another', async () => {
    const proxy = await proxyFor(
      'actionloop',
      `while read -r line; do sleep 3; echo '{"ok":true}' >&3; done`,
    );
    const busy = request(proxy.url, '/run', runBody({}, { deadlineMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const queued = await request(proxy.url, '/run', runBody({}, { deadlineMs: 500 }));
    const waitedMs = Date.now() - started;
    expect(queued.json).toEqual({ error: MESSAGES.deadlineExceeded });
    expect(waitedMs).toBeLessThan(2000);
    expect((await busy).json).toEqual({ ok: true });
    // The child, free again, serves the next one: the queue lost no place.
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: true });
  });
});
