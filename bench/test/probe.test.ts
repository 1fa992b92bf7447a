import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { processTreeProbe } from '../src/memory.js';

/** Burns `ms` of CPU in a fresh Node process once `afterMs` have passed. */
const burner = (afterMs: number, ms: number) =>
  `setTimeout(() => { const t = Date.now(); while (Date.now() - t < ${ms}); }, ${afterMs}); setTimeout(() => {}, 60000);`;

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function start(command: string, args: string[]): number {
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  started.push(child.pid as number);
  return child.pid as number;
}

describe('processTreeProbe', () => {
  it('reads the CPU at the instant it is asked, even when the event loop is busy right after', async () => {
    const pid = start(process.execPath, ['-e', burner(100, 400)]);
    const probe = processTreeProbe(pid);
    const before = probe.cpuMicros();
    // The bench's own process is busy (autocannon at 32 connections) while the server works: a
    // reading queued behind that work would be taken after the burn and see none of it.
    const busyUntil = Date.now() + 700;
    while (Date.now() < busyUntil);
    const used = probe.cpuMicros() - before;
    expect(used).toBeGreaterThanOrEqual(300_000);
  });

  it('counts a child the root has reaped, through its cutime', async () => {
    const child = `${process.execPath} -e '${burner(0, 400)}; setTimeout(() => process.exit(0), 450)'`;
    const pid = start('/bin/sh', ['-c', `sleep 0.3; ${child}; sleep 60`]);
    const probe = processTreeProbe(pid);
    const before = probe.cpuMicros();
    await delay(1_500);
    expect(probe.cpuMicros() - before).toBeGreaterThanOrEqual(300_000);
    expect((await probe.memory()).processCount).toBe(2); // the shell and its sleep
  });
});
