/**
 * A soak run: one image under steady load from autocannon on loopback, its processes' resident
 * memory sampled every second, its process tree counted before and after.
 */
import { runBody } from '@owkit/runtime/testing';
import autocannon from 'autocannon';
import { send } from './client.js';
import { pollUntil } from './poll.js';
import { descendantsOf, rssBytes, treeRssBytes } from './procfs.js';
import { type Server, startVariant } from './servers.js';
import type { Variant } from './variants.js';

export interface SoakOptions {
  durationSeconds: number;
  connections: number;
  /** Second of the run whose RSS is the reference for growth (the warm-up is over by then). */
  growthFromSecond: number;
  /** Extra `docker run` arguments (e.g. another log driver, to compare). */
  dockerArgs?: readonly string[];
}

export interface RssSample {
  second: number;
  /** Summed RSS of the container's long-lived processes (PID 1, the server, a loop child). */
  rssBytes: number;
  /** Summed RSS of every process of the container at that moment, short-lived children included. */
  treeRssBytes: number;
}

export interface SoakResult {
  image: string;
  durationSeconds: number;
  connections: number;
  requestsTotal: number;
  requestsPerSecondMean: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Answers whose body was not the expected one. */
  mismatches: number;
  /** Processes of the container (PID 1 included) before the load and once it is over. */
  processesBefore: number;
  processesAfter: number;
  zombiesAfter: number;
  rssBeforeLoadBytes: number;
  rssSamples: RssSample[];
  rssAtGrowthStartBytes: number;
  rssAtEndBytes: number;
  /** (end − at growthFromSecond) / at growthFromSecond, in percent. */
  rssGrowthPercent: number;
  /** Growth over the second half of the run, in percent: ~0 once the heap has settled. */
  rssGrowthSecondHalfPercent: number;
  /** Highest summed RSS of every process of the container (blackbox children included). */
  treeRssPeakBytes: number;
}

const PAYLOAD = 'hello world';
const EXPECTED = '{"reversed":"dlrow olleh"}';

const zombieCount = (server: Server) =>
  descendantsOf(server.pid).filter((p) => p.state === 'Z').length;
const processCount = (server: Server) =>
  1 + descendantsOf(server.pid).filter((p) => p.state !== 'Z').length;

export async function soakImage(variant: Variant, options: SoakOptions): Promise<SoakResult> {
  const server = await startVariant(variant, 'image', { dockerArgs: options.dockerArgs ?? [] });
  try {
    const init = await send(server.url, '/init', { body: { value: {} } });
    if (init.status !== 200)
      throw new Error(`${variant.image}: /init answered ${init.status} ${init.body}`);
    const processesBefore = processCount(server);
    // An hour ahead: the deadline must not pass during the run.
    const body = JSON.stringify(runBody({ payload: PAYLOAD }, { deadlineMs: 3_600_000 }));
    // A short warm-up, so the baseline is a server that has served, not one that just started.
    await autocannon({
      url: `${server.url}/run`,
      method: 'POST',
      body,
      connections: 8,
      duration: 1,
      headers: { 'content-type': 'application/json' },
    });
    await pollUntil(
      () => processCount(server),
      (n) => n <= processesBefore,
      5_000,
    );
    // Long-lived: what runs once the warm-up is over and its children are gone. A blackbox
    // proxy's per-activation children come and go; counting them would measure the load, not growth.
    const longLived = [server.pid, ...descendantsOf(server.pid).map((p) => p.pid)];
    const longLivedRss = () => longLived.reduce((sum, pid) => sum + rssBytes(pid), 0);
    const rssBeforeLoadBytes = longLivedRss();

    const rssSamples: RssSample[] = [];
    const startedAt = Date.now();
    const sampler = setInterval(() => {
      rssSamples.push({
        second: Math.round((Date.now() - startedAt) / 1000),
        rssBytes: longLivedRss(),
        treeRssBytes: treeRssBytes(server.pid),
      });
    }, 1_000);
    let result: autocannon.Result;
    try {
      result = await autocannon({
        url: `${server.url}/run`,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        connections: options.connections,
        duration: options.durationSeconds,
        expectBody: EXPECTED,
        // Latency is not an error: a queue of 64 spawns on a busy 2-core machine can take seconds.
        timeout: 30,
      });
    } finally {
      clearInterval(sampler);
    }
    rssSamples.push({
      second: options.durationSeconds,
      rssBytes: longLivedRss(),
      treeRssBytes: treeRssBytes(server.pid),
    });

    // Children that just exited are zombies until the proxy (or tini) reaps them: give it time.
    const settled = await pollUntil(
      () => ({ live: processCount(server), zombies: zombieCount(server) }),
      ({ live, zombies }) => live <= processesBefore && zombies === 0,
      5_000,
    );
    const processesAfter = settled.live;
    const zombiesAfter = settled.zombies;
    const reference =
      rssSamples.find((s) => s.second >= options.growthFromSecond) ?? (rssSamples[0] as RssSample);
    const end = rssSamples[rssSamples.length - 1] as RssSample;
    const half =
      rssSamples.find((s) => s.second >= options.durationSeconds / 2) ??
      (rssSamples[0] as RssSample);
    const growth = (from: RssSample) => ((end.rssBytes - from.rssBytes) / from.rssBytes) * 100;
    return {
      image: variant.image,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      requestsTotal: result.requests.total,
      requestsPerSecondMean: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      latencyMaxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      mismatches: result.mismatches,
      processesBefore,
      processesAfter,
      zombiesAfter,
      rssBeforeLoadBytes,
      rssSamples,
      rssAtGrowthStartBytes: reference.rssBytes,
      rssAtEndBytes: end.rssBytes,
      rssGrowthPercent: growth(reference),
      rssGrowthSecondHalfPercent: growth(half),
      treeRssPeakBytes: Math.max(...rssSamples.map((s) => s.treeRssBytes)),
    };
  } finally {
    await server.stop();
  }
}

const MiB = 1024 * 1024;
const percent = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;

export function soakTable(results: readonly SoakResult[]): string {
  const rows = results.map((r) =>
    [
      `\`${r.image}\``,
      `${r.durationSeconds} s × ${r.connections}`,
      r.requestsTotal.toLocaleString('en-US'),
      Math.round(r.requestsPerSecondMean).toLocaleString('en-US'),
      `${r.latencyP50Ms} / ${r.latencyP99Ms} / ${r.latencyMaxMs}`,
      `${r.errors} / ${r.timeouts} / ${r.non2xx} / ${r.mismatches}`,
      `${r.processesBefore} → ${r.processesAfter} (${r.zombiesAfter} zombies)`,
      `${(r.rssBeforeLoadBytes / MiB).toFixed(1)} / ${(r.rssAtGrowthStartBytes / MiB).toFixed(1)} / ${(r.rssAtEndBytes / MiB).toFixed(1)}`,
      percent(r.rssGrowthPercent),
      percent(r.rssGrowthSecondHalfPercent),
      (r.treeRssPeakBytes / MiB).toFixed(1),
    ].join(' | '),
  );
  return [
    '| image | load | requests | req/s (mean) | latency p50 / p99 / max (ms) | errors / timeouts / non-2xx / wrong body | processes before → after | RSS before load / at growth start / at end (MiB) | RSS growth | growth over 2nd half | peak RSS with children (MiB) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
