import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SENTINEL } from '@owkit/protocol';
import { request, runBody } from '@owkit/runtime/testing';
import { startProcess } from '@owkit/testkit';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { proxyOptionsTable } from '../src/index.js';
import { nodeExecutable, tempDir } from './helpers.js';

const bundle = fileURLToPath(new URL('../dist/owkit-proxy.mjs', import.meta.url));
const BUNDLE_BUDGET_BYTES = 96 * 1024;

const sentinelLines = (text: string) => text.split('\n').filter((line) => line === SENTINEL).length;

describe('the owkit-proxy bundle', () => {
  it(`stays under ${BUNDLE_BUDGET_BYTES / 1024} KiB`, async () => {
    expect((await stat(bundle)).size).toBeLessThan(BUNDLE_BUDGET_BYTES);
  });

  it('prints the options table for --help', async () => {
    const { stdout, exitCode } = await execa('node', [bundle, '--help']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(proxyOptionsTable());
  });

  it('refuses a bad option with one line and exit code 2', async () => {
    const result = await execa('node', [bundle, '--mode', 'sometimes'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--mode/);
  });

  it('serves activations, ends each one with sentinels on their own lines, and exits 0 on SIGTERM', async () => {
    const dir = await tempDir();
    const exec = await nodeExecutable(
      dir,
      `process.stdout.write('log without newline\\n'); process.stderr.write('err without newline'); console.log('{"ok":true}');`,
    );
    const proxy = await startProcess('node', [bundle, '--exec', exec, '--host', '127.0.0.1']);
    for (let i = 0; i < 3; i++) {
      const response = await request(proxy.url, '/run', runBody({}));
      expect(response.json).toEqual({ ok: true });
    }
    expect(await proxy.stop('SIGTERM')).toBe(0);
    expect(sentinelLines(proxy.stdout())).toBe(3);
    expect(sentinelLines(proxy.stderr())).toBe(3);
    expect(proxy.stderr()).toContain(`err without newline\n${SENTINEL}\n`);
  });

  it('runs in actionloop mode from the environment', async () => {
    const dir = await tempDir();
    const exec = await nodeExecutable(
      dir,
      `require('node:readline').createInterface({ input: process.stdin }).on('line', () =>
        require('node:fs').writeSync(3, JSON.stringify({ pid: process.pid }) + '\\n'));`,
    );
    const proxy = await startProcess('node', [bundle, '--host', '127.0.0.1'], {
      env: { OWKIT_MODE: 'actionloop', OWKIT_EXEC: exec },
    });
    const first = await request(proxy.url, '/run', runBody({}));
    const second = await request(proxy.url, '/run', runBody({}));
    expect(first.json).toEqual(second.json);
    expect(await proxy.stop('SIGTERM')).toBe(0);
  });
});
