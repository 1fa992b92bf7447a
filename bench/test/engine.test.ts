import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startThrowAwayEngine, throwAwayEngineUnavailable } from '../src/engine.js';

const dir = await mkdtemp(join(tmpdir(), 'owkit-fake-dockerd-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error startThrowAwayEngine rejects with (the test fails if it starts). */
async function startError(binary: string, timeoutMs?: number): Promise<Error> {
  const engine = await startThrowAwayEngine(binary, timeoutMs).catch((e: unknown) => e as Error);
  if (!(engine instanceof Error)) {
    await engine.stop();
    throw new Error('a fake dockerd started an engine');
  }
  return engine;
}

/** A stand-in for dockerd that fails the way a real one does without root. */
async function fakeDockerd(script: string): Promise<string> {
  const path = join(dir, `dockerd-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('throw-away engine', () => {
  it('names the real cause when dockerd exits: its exit and the end of its log', async () => {
    const binary = await fakeDockerd(
      'echo "level=info msg=\\"Starting up\\"" >&2\necho "failed to start daemon: pid file found, ensure docker is not running or delete /x/d.pid: permission denied" >&2\nexit 1',
    );
    const error = await startError(binary);
    expect(error.message).toMatch(
      /^the throw-away engine did not start: dockerd stopped \(.*exit code 1/,
    );
    expect(error.message).toContain(
      'its log ends: level=info msg="Starting up" | failed to start daemon',
    );
    expect(error.message).toContain('permission denied');
  });

  it('says so when dockerd runs but never answers', async () => {
    const binary = await fakeDockerd('exec sleep 30');
    const error = await startError(binary, 500);
    expect(error.message).toBe(
      'the throw-away engine did not start: it did not answer within 0.5 s; dockerd wrote nothing',
    );
  });

  it('says up front why it cannot be started for a normal user', async () => {
    const reason = await throwAwayEngineUnavailable();
    if (process.getuid?.() === 0) {
      // As root only a missing dockerd stops it; on these machines dockerd is installed.
      expect(reason === null || reason.includes('no dockerd binary')).toBe(true);
    } else {
      expect(reason).toMatch(/starting dockerd needs root \(this is uid \d+\)/);
    }
  });
});
