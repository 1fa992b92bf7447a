import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StartError } from '../src/errors.js';
import { startProcess } from '../src/process.js';

const fixture = fileURLToPath(new URL('./fixtures/port-server.mjs', import.meta.url));

describe('startProcess', () => {
  it('starts a real server on PORT, exposes its output, and stops it with SIGTERM', async () => {
    const server = await startProcess(process.execPath, [fixture, 'from the fixture']);
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const response = await fetch(server.url);
      expect(await response.text()).toBe('from the fixture');
      expect(server.stdout()).toContain(`listening on ${server.port}`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stderr()).toContain('got SIGTERM');
  });

  it('reports a null exit code when a signal the child does not handle ends it', async () => {
    const server = await startProcess(process.execPath, [fixture]);
    expect(await server.stop('SIGKILL')).toBeNull();
  });

  it('rejects with the child stderr when it exits before listening', async () => {
    const started = startProcess(process.execPath, [fixture], {
      env: { FAIL_BEFORE_LISTEN: '1' },
    });
    await expect(started).rejects.toThrow(StartError);
    await expect(started).rejects.toThrow(/exited \(code 3.*refusing to listen/s);
  });

  it('stamps each line with its arrival time, keeping the two streams apart', async () => {
    const before = Date.now();
    const server = await startProcess(process.execPath, [fixture]);
    await server.stop();
    const lines = server.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({ stream: 'stdout', text: `listening on ${server.port}` }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ stream: 'stderr', text: 'got SIGTERM' }),
    );
    for (const line of lines) expect(Date.parse(line.time)).toBeGreaterThanOrEqual(before - 1);
  });

  it('stops the whole process group, children included, when started with group', async () => {
    const server = await startProcess(process.execPath, [fixture], {
      group: true,
      env: { SPAWN_SLEEPER: '1' },
    });
    const sleeper = Number(await (await fetch(server.url)).text());
    expect(isAlive(sleeper)).toBe(true);
    await server.stop();
    await expect.poll(() => isAlive(sleeper), { timeout: 2_000 }).toBe(false);
  });

  it('kills a group member that ignores SIGTERM once killAfterMs has passed, though the leader exited', async () => {
    const server = await startProcess(process.execPath, [fixture], {
      group: true,
      killAfterMs: 300,
      env: { SPAWN_SLEEPER: 'stubborn' },
    });
    const sleeper = Number(await (await fetch(server.url)).text());
    const stopping = Date.now();
    expect(await server.stop()).toBe(0);
    expect(server.stderr()).toContain('got SIGTERM');
    expect(Date.now() - stopping).toBeGreaterThanOrEqual(250);
    await expect.poll(() => isAlive(sleeper), { timeout: 1_000 }).toBe(false);
  });

  it('leaves the children of a child started without group alone (the reason group exists)', async () => {
    const server = await startProcess(process.execPath, [fixture], { env: { SPAWN_SLEEPER: '1' } });
    const sleeper = Number(await (await fetch(server.url)).text());
    await server.stop();
    try {
      expect(isAlive(sleeper)).toBe(true);
    } finally {
      process.kill(sleeper, 'SIGKILL');
    }
  });

  it('sends SIGKILL once killAfterMs has passed when the child ignores SIGTERM', async () => {
    const server = await startProcess(process.execPath, [fixture], {
      env: { IGNORE_SIGTERM: '1' },
      killAfterMs: 200,
    });
    expect(await server.stop()).toBeNull();
    expect(server.stderr()).toContain('got SIGTERM');
  });

  it('names the command when it cannot be started at all', async () => {
    await expect(startProcess('/nonexistent/owkit-server', ['--flag'])).rejects.toThrow(
      /^cannot start \/nonexistent\/owkit-server --flag: .*ENOENT/,
    );
  });

  it('kills the child and rejects with the reason when the signal aborts the wait', async () => {
    const abort = new AbortController();
    const started = startProcess('sleep', ['60'], { signal: abort.signal, group: true });
    setTimeout(() => abort.abort(new Error('interrupted by the user')), 100);
    await expect(started).rejects.toThrow('interrupted by the user');
  });

  it('gives up at readyTimeoutMs on a child that never listens, and kills it', async () => {
    await expect(startProcess('sleep', ['60'], { readyTimeoutMs: 300 })).rejects.toThrow(
      /^sleep 60 did not listen on port \d+ within 300 ms/,
    );
  });
});

/** Whether `pid` still runs: a zombie waiting for whoever adopted it counts as ended. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
