import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import { freePort, SENTINEL, waitForPort } from '@owkit/testkit';
import { describe, expect, it } from 'vitest';

const bundle = fileURLToPath(new URL('../dist/action.mjs', import.meta.url));
const lines = (text: string) => text.split('\n').filter((line) => line === SENTINEL).length;

describe('the bundled action', () => {
  it('stays within its 25 KB budget, runtime included', async () => {
    const { size } = await stat(bundle);
    expect(size).toBeLessThanOrEqual(25 * 1024);
  });

  it('imports no built-in as an ES module, so their lazy exports stay unloaded at start', async () => {
    // An ES import of node:http reads all its exports, and its fetch getters load undici: about
    // half of Node's CPU before listen. owkit-bundle reaches built-ins through require instead.
    const code = await readFile(bundle, 'utf8');
    const imported = [...code.matchAll(/\bfrom\s*"([^"]+)"/g)].map((match) => match[1]);
    expect(imported).toEqual(['node:module']);
  });

  it('serves the protocol as a real process and writes one sentinel pair per /run', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bundle], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await waitForPort(port, 10_000);
      const url = `http://127.0.0.1:${port}`;
      expect((await request(url, '/init', initBody())).body).toBe('{"ok":true}');
      const ok = await request(url, '/run', runBody({ payload: 'hello world' }));
      expect(ok.status).toBe(200);
      expect(ok.body).toBe('{"reversed":"dlrow olleh"}');
      const bad = await request(url, '/run', runBody({ payload: 7 }));
      expect(bad.body).toBe('{"error":"payload must be a string"}');
      expect((await request(url, '/run', runBody('scalar'))).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines(stdout)).toBe(3);
    expect(lines(stderr)).toBe(3);
  });
});
