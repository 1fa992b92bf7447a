import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BenchError } from './errors.js';
import { percentile } from './stats.js';
import { EXPECTED_RESULT, PARAMS } from './workload.js';

/** The same loop through bare `node:child_process.spawn`: what execa itself adds. */
export interface RawSpawnResult {
  calls: number;
  callsPerSec: number;
  perCallMsP50: number;
  perCallMsP90: number;
  perCallMsMin: number;
}

export interface SpawnFloorResult {
  binary: string;
  cpuset: string;
  durationSeconds: number;
  warmupCalls: number;
  calls: number;
  callsPerSec: number;
  perCallMsP50: number;
  perCallMsP90: number;
  perCallMsP99: number;
  perCallMsMin: number;
  /** Every per-call time, in order. */
  perCallMs: number[];
  childProcess: RawSpawnResult | null;
  failures: string[];
}

/**
 * One activation the way the blackbox proxy runs it: a detached child with the params as its
 * argument and on stdin, stdout read to its last line. No HTTP, no server.
 */
export async function spawnOnce(binary: string, input: string): Promise<string> {
  const child = execa(binary, [input], {
    cwd: dirname(binary),
    env: { __OW_ACTIVATION_ID: 'bench', __OW_ACTION_NAME: '/guest/reverse' },
    extendEnv: false,
    detached: true,
    buffer: false,
    reject: false,
    stripFinalNewline: false,
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.resume();
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const result = await child;
  if (result.failed && result.exitCode === undefined) {
    throw new BenchError(`could not run ${binary}: ${result.message}`);
  }
  const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** The same activation through `node:child_process` directly, without execa. */
export function spawnOnceRaw(binary: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [input], {
      cwd: dirname(binary),
      env: { __OW_ACTIVATION_ID: 'bench', __OW_ACTION_NAME: '/guest/reverse' },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.resume();
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    child.once('error', reject);
    child.once('close', () => {
      const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
      resolve(lines[lines.length - 1] ?? '');
    });
  });
}

async function timedCalls(
  call: () => Promise<string>,
  durationSeconds: number,
  failures: string[],
): Promise<{ perCallMs: number[]; elapsedSeconds: number }> {
  const perCallMs: number[] = [];
  const start = performance.now();
  const end = start + durationSeconds * 1000;
  while (failures.length === 0 && performance.now() < end) {
    const t0 = performance.now();
    const answer = await call();
    perCallMs.push(performance.now() - t0);
    if (answer !== EXPECTED_RESULT) failures.push(`answer ${JSON.stringify(answer)}`);
  }
  return { perCallMs, elapsedSeconds: (performance.now() - start) / 1000 };
}

/**
 * Calls the binary back to back, one at a time, for `durationSeconds` after a short warm-up;
 * then as long again through bare child_process, to show what execa adds.
 */
export async function runSpawnFloor(
  binary: string,
  durationSeconds: number,
  warmupSeconds: number,
): Promise<SpawnFloorResult> {
  const input = JSON.stringify(PARAMS);
  const failures: string[] = [];
  let warmupCalls = 0;
  const warmupEnd = performance.now() + warmupSeconds * 1000;
  while (performance.now() < warmupEnd) {
    const answer = await spawnOnce(binary, input);
    if (answer !== EXPECTED_RESULT) failures.push(`warm-up answer ${JSON.stringify(answer)}`);
    warmupCalls++;
    if (failures.length > 0) break;
  }
  const { perCallMs, elapsedSeconds } = await timedCalls(
    () => spawnOnce(binary, input),
    durationSeconds,
    failures,
  );
  const raw = await timedCalls(() => spawnOnceRaw(binary, input), durationSeconds, failures);
  if (perCallMs.length === 0) failures.push('no call completed');
  const any = perCallMs.length > 0;
  return {
    binary,
    cpuset: '',
    durationSeconds: elapsedSeconds,
    warmupCalls,
    calls: perCallMs.length,
    callsPerSec: perCallMs.length / elapsedSeconds,
    perCallMsP50: any ? percentile(perCallMs, 50) : 0,
    perCallMsP90: any ? percentile(perCallMs, 90) : 0,
    perCallMsP99: any ? percentile(perCallMs, 99) : 0,
    perCallMsMin: any ? Math.min(...perCallMs) : 0,
    perCallMs,
    childProcess:
      raw.perCallMs.length === 0
        ? null
        : {
            calls: raw.perCallMs.length,
            callsPerSec: raw.perCallMs.length / raw.elapsedSeconds,
            perCallMsP50: percentile(raw.perCallMs, 50),
            perCallMsP90: percentile(raw.perCallMs, 90),
            perCallMsMin: Math.min(...raw.perCallMs),
          },
    failures,
  };
}

const CHILD_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), 'spawn-floor-child.js');

/**
 * Runs the spawn floor in a Node process of its own held to the server's CPU, as the proxy
 * would be, so it competes with the load generator no more than a server does.
 */
export async function measureSpawnFloor(
  binary: string,
  cpuset: string,
  durationSeconds: number,
  warmupSeconds: number,
): Promise<SpawnFloorResult> {
  const result = await execa(
    'taskset',
    [
      '--cpu-list',
      cpuset,
      process.execPath,
      CHILD_ENTRY,
      binary,
      String(durationSeconds),
      String(warmupSeconds),
    ],
    { reject: false, stdin: 'ignore' },
  );
  if (result.exitCode !== 0) {
    throw new BenchError(`spawn floor failed: ${String(result.stderr || result.stdout).trim()}`);
  }
  return { ...(JSON.parse(String(result.stdout)) as SpawnFloorResult), cpuset };
}

/**
 * The median round of the spawn floor (the lower middle for an even count), with every round's
 * calls/s; failures of every round are kept.
 */
export function medianSpawnFloor(
  rounds: readonly { round: number; floor: SpawnFloorResult }[],
): SpawnFloorResult & { rounds: { round: number; callsPerSec: number }[] } {
  const clean = rounds.filter((r) => r.floor.failures.length === 0);
  const sorted = [...(clean.length > 0 ? clean : rounds)].sort(
    (a, b) => a.floor.callsPerSec - b.floor.callsPerSec,
  );
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new BenchError('no spawn floor round to take the median of');
  return {
    ...median.floor,
    failures: rounds.flatMap((r) => r.floor.failures.map((f) => `round ${r.round}: ${f}`)),
    rounds: clean.map((r) => ({ round: r.round, callsPerSec: r.floor.callsPerSec })),
  };
}
