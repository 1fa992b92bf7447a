import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CapturedLogs, captureLogs, listen } from '@owkit/runtime/testing';
import { afterEach } from 'vitest';
import { createProxyServer, type ProxyServerOptions } from '../src/index.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Servers close first (killing their children), then their folders go.
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
});

/** A fresh folder for one test's executables, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'owkit-proxy-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a tiny Node program as an executable file. */
export async function nodeExecutable(dir: string, source: string, name = 'exec'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/usr/bin/env node\n${source}\n`);
  await chmod(path, 0o755);
  return path;
}

export interface RunningProxy {
  url: string;
  logs: CapturedLogs;
}

/** A real proxy on an ephemeral port, its logs captured; closed after the test. */
export async function startProxy(options: ProxyServerOptions): Promise<RunningProxy> {
  const logs = captureLogs();
  const { server, app } = createProxyServer({ env: process.env, ...options, logs });
  const listening = await listen(server);
  cleanups.push(async () => {
    await listening.close();
    await app.close();
  });
  return { url: listening.url, logs };
}

/** Whether a process still exists and is not merely waiting to be reaped. */
export async function processLives(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `check` holds or the deadline passes; returns the last answer. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 3000,
): Promise<boolean> {
  const giveUpAt = Date.now() + timeoutMs;
  while (Date.now() < giveUpAt) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

/** Pids of processes whose process group is `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return members;
}
