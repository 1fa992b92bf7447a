import { freePort } from '@owkit/host/ports';
import { BenchError } from './errors.js';
import { type Launcher, type LaunchOptions, waitUntilListening } from './launcher.js';
import { httpCall } from './net.js';
import type { Variant } from './variants.js';
import { defaultRunBody, INIT_BODY } from './workload.js';

/** One cold start, phase by phase, in milliseconds. `totalMs` is their sum. */
export interface ColdStartSample {
  /** The round it ran in: every variant runs once per round, so rounds pair the variants. */
  round: number;
  /** `docker run -d` until the CLI returned (create + start), or the process spawn. */
  startMs: number;
  /** From there until the port accepted a TCP connection. */
  listenMs: number;
  /** The `/init` round trip. */
  initMs: number;
  /** The first `/run` round trip. */
  firstRunMs: number;
  totalMs: number;
}

export const PHASES = ['startMs', 'listenMs', 'initMs', 'firstRunMs'] as const;

const READY_TIMEOUT_MS = 30_000;

/** Starts the variant from nothing, times each phase up to its first answer, then removes it. */
export async function measureColdStart(
  launcher: Launcher,
  variant: Variant,
  options: Omit<LaunchOptions, 'port'> = {},
): Promise<Omit<ColdStartSample, 'round'>> {
  const port = await freePort();
  const t0 = performance.now();
  const server = await launcher.launch(variant, { ...options, port });
  try {
    const t1 = performance.now();
    await waitUntilListening(server, READY_TIMEOUT_MS);
    const t2 = performance.now();
    const init = await httpCall(`${server.url}/init`, { method: 'POST', body: INIT_BODY });
    const t3 = performance.now();
    if (init.status !== 200) {
      throw new BenchError(`/init answered ${init.status} ${init.body.slice(0, 200)}`);
    }
    const run = await httpCall(`${server.url}/run`, {
      method: 'POST',
      body: defaultRunBody(variant.workload, 60_000),
    });
    const t4 = performance.now();
    checkRunAnswer(variant, run.status, run.body);
    return {
      startMs: t1 - t0,
      listenMs: t2 - t1,
      initMs: t3 - t2,
      firstRunMs: t4 - t3,
      totalMs: t4 - t0,
    };
  } finally {
    await server.stop();
  }
}

export function checkRunAnswer(variant: Variant, status: number, body: string): void {
  if (status !== 200) throw new BenchError(`/run answered ${status} ${body.slice(0, 200)}`);
  if (variant.expectedRunBody !== null && body !== variant.expectedRunBody) {
    throw new BenchError(`/run answered ${JSON.stringify(body.slice(0, 200))}`);
  }
}
