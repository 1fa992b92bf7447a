import {
  coldCachedMedianMs,
  coldPulledMedianMs,
  compressedBytes,
  peakRssBytes,
  requestsPerSec,
  variantIn,
} from '../compare.js';
import type { BenchResult, VariantResult } from '../result.js';
import { ratio } from '../stats.js';
import { BASELINE } from '../variants.js';
import { count, DASH, megabytes, ms, table, times } from './format.js';

export const CHART_FILES = {
  size: 'size.svg',
  coldStart: 'cold-start.svg',
  throughput: 'throughput.svg',
} as const;

function goalsSection(result: BenchResult): string {
  const rows = result.goals.map((goal) => [
    goal.description,
    `${goal.comparison} ${goal.target}`,
    goal.ratio === null ? DASH : goal.ratio.toFixed(3),
    goal.status === 'met' ? '**met**' : goal.status === 'missed' ? '**MISSED**' : 'not measured',
  ]);
  return `## Goals\n\nEach goal is a ratio of two numbers from this run.\n\n${table(
    ['goal', 'target', 'measured ratio', 'status'],
    rows,
    1,
  )}`;
}

function imageSection(variants: VariantResult[]): string {
  const rows = variants
    .filter((v) => v.imageFacts !== null)
    .map((v) => {
      const facts = v.imageFacts as NonNullable<VariantResult['imageFacts']>;
      return [
        v.name,
        facts.baseImage ?? 'scratch',
        megabytes(facts.compressedImageBytes),
        megabytes(facts.imageBytes),
        String(facts.layerCount),
        megabytes(facts.addedOverBaseBytes),
        megabytes(facts.compressedAddedOverBaseBytes),
      ];
    });
  if (rows.length === 0) return '';
  return `## Image size\n\nCompressed: the layer blobs a registry stores and a pull downloads. Uncompressed: \`docker image inspect\` Size. MB = 10^6 bytes.\n\n${table(
    [
      'variant',
      'base',
      'compressed',
      'uncompressed',
      'layers',
      'added over base',
      'added, compressed',
    ],
    rows,
    2,
  )}`;
}

function coldCachedSection(result: BenchResult): string {
  const rows = result.variants
    .filter((v) => v.coldStartCached?.summaryMs)
    .map((v) => {
      const s = v.coldStartCached?.summaryMs as NonNullable<
        NonNullable<VariantResult['coldStartCached']>['summaryMs']
      >;
      return [
        v.name,
        ms(s.totalMs.median),
        ms(s.totalMs.p90),
        ms(s.totalMs.min),
        ms(s.totalMs.max),
        ms(s.startMs.median),
        ms(s.listenMs.median),
        ms(s.initMs.median),
        ms(s.firstRunMs.median),
      ];
    });
  if (rows.length === 0) return '';
  const what =
    result.runtime === 'docker'
      ? '`docker run -d --network host` → port accepts → `/init` → first `/run` answered; the container is removed after each run'
      : 'process spawn → port accepts → `/init` → first `/run` answered; the process is stopped after each run';
  return `## Cold start, image cached\n\n${result.options.coldStartRepeats} runs per variant, interleaved: ${what}. Phase columns are medians of each phase.\n\n${table(
    ['variant', 'median', 'p90', 'min', 'max', 'start', 'listen', 'init', 'first run'],
    rows,
  )}`;
}

function coldPulledSection(result: BenchResult): string {
  const rows = result.variants
    .filter((v) => v.coldStartPulled?.summaryMs)
    .map((v) => {
      const pulled = v.coldStartPulled as NonNullable<VariantResult['coldStartPulled']>;
      const s = pulled.summaryMs as NonNullable<typeof pulled.summaryMs>;
      return [
        v.name,
        ms(s.pullMs.median, 0),
        ms(s.totalMs.median),
        ms(s.pullAndColdStartMs.median, 0),
        ms(s.pullAndColdStartMs.p90, 0),
        ms(pulled.modelledTransferMs?.at100Mbit, 0),
        ms(pulled.modelledTransferMs?.at1Gbit, 0),
      ];
    });
  if (rows.length === 0) return '';
  return `## Cold start, image pulled\n\n${result.options.pullRepeats} runs per variant on a throw-away Docker engine whose image store is emptied before every pull (no shared base layer), from a registry on 127.0.0.1. The modelled columns are the compressed bytes alone over a link of that speed.\n\n${table(
    [
      'variant',
      'pull (median)',
      'cold start after pull',
      'pull + cold start',
      'p90',
      'transfer at 100 Mbit/s',
      'at 1 Gbit/s',
    ],
    rows,
  )}`;
}

function throughputSection(result: BenchResult): string {
  const levels = result.options.connections;
  const header = ['variant'];
  for (const c of levels) header.push(`req/s c=${c}`, `p50 c=${c}`, `p99 c=${c}`);
  header.push('server CPU µs/req (c=1)');
  const rows = result.variants
    .filter((v) => v.throughput !== null && v.throughput.levels.length > 0)
    .map((v) => {
      const row = [v.status === 'failed' ? `${v.name} (FAILED)` : v.name];
      for (const c of levels) {
        const level = v.throughput?.levels.find((l) => l.connections === c);
        row.push(
          count(level?.requestsPerSec),
          ms(level?.latencyP50Ms, 3),
          ms(level?.latencyP99Ms, 3),
        );
      }
      const first = v.throughput?.levels.find((l) => l.connections === 1);
      row.push(count(first?.serverCpuMicrosPerRequest, 1));
      return row;
    });
  const spawn = variantIn(result, 'floor-spawn')?.spawnFloor;
  const spawnText = spawn
    ? `\n\nSpawn floor (Node spawning the Go blackbox binary, one call at a time, no HTTP, held to CPU ${spawn.cpuset}): **${count(spawn.callsPerSec)} calls/s**, ${ms(spawn.perCallMsP50, 2)} per call at the median, p90 ${ms(spawn.perCallMsP90, 2)}, p99 ${ms(spawn.perCallMsP99, 2)} (${count(spawn.calls)} calls, through execa${spawn.callsPerSecRounds && spawn.callsPerSecRounds.length > 1 ? `; per round ${spawn.callsPerSecRounds.map((rate) => count(rate)).join(' · ')}` : ''}).${
        spawn.childProcess
          ? ` Through bare \`node:child_process\`, as the proxy spawns: ${count(spawn.childProcess.callsPerSec)} calls/s, ${ms(spawn.childProcess.perCallMsP50, 2)} per call at the median.`
          : ''
      }`
    : '';
  if (rows.length === 0) return `## Throughput${spawnText}`;
  const rounds = result.options.loadRounds;
  const roundsText =
    rounds > 1
      ? ` ${rounds} interleaved rounds (every variant once per round); each figure is the median round's, every round's req/s below the table.`
      : '';
  return `## Throughput\n\nautocannon ${result.environment.autocannonVersion}, POST \`/run\`, pipelining 1, ${result.options.loadDurationSeconds} s per level after a ${result.options.warmupSeconds} s warm-up whose bodies are checked byte for byte.${roundsText} Server held to CPU ${result.environment.serverCpus}, load generator to CPU ${result.environment.loadGeneratorCpus}. Any error, timeout, non-2xx or wrong body fails the variant. Latencies are exact percentiles of every response time.\n\n${table(header, rows)}${roundsList(result)}${spawnText}`;
}

/** Every round's req/s per variant and connection count, so the spread behind a median shows. */
function roundsList(result: BenchResult): string {
  if (result.options.loadRounds <= 1) return '';
  const lines = result.variants.flatMap((v) =>
    (v.throughput?.levels ?? []).map(
      (level) =>
        `- ${v.name}, c=${level.connections}: ${level.requestsPerSecRounds.map((rps) => count(rps)).join(' · ')}`,
    ),
  );
  return lines.length === 0 ? '' : `\n\nreq/s per round:\n\n${lines.join('\n')}`;
}

function sentinelSection(result: BenchResult): string {
  const pairs = [
    ['floor-node', 'floor-node-no-sentinels'],
    ['floor-go', 'floor-go-no-sentinels'],
  ] as const;
  const rows: string[][] = [];
  for (const [withLines, without] of pairs) {
    for (const c of result.options.connections) {
      const a = requestsPerSec(variantIn(result, withLines), c);
      const b = requestsPerSec(variantIn(result, without), c);
      if (a === null || b === null) continue;
      rows.push([withLines, String(c), count(a), count(b), times(ratio(a, b))]);
    }
  }
  if (rows.length === 0) return '';
  const sink =
    result.runtime === 'docker' ? "Docker's json-file log driver" : '/dev/null (process mode)';
  return `### What the sentinel lines cost\n\nThe same floor with and without the two lines per activation, written to ${sink}.\n\n${table(
    ['floor', 'connections', 'req/s with', 'req/s without', 'with / without'],
    rows,
  )}`;
}

function memorySection(result: BenchResult): string {
  const rows = result.variants
    .filter((v) => v.throughput?.memory)
    .map((v) => {
      const m = v.throughput?.memory as NonNullable<
        NonNullable<VariantResult['throughput']>['memory']
      >;
      return [
        v.name,
        megabytes(m.rssAfterInitBytes),
        megabytes(m.peakRssBytes),
        megabytes(m.cgroupAnonAfterInitBytes),
        megabytes(m.peakCgroupAnonBytes),
        megabytes(m.cgroupMaxUsageBytes),
      ];
    });
  if (rows.length === 0) return '';
  return `## Memory\n\nRSS: the sum of VmRSS over the server's processes (private and file-backed pages, as \`ps\` shows). cgroup anon: the container's anonymous memory only (cgroup v1 \`total_rss\`). cgroup max usage: the kernel's high-water mark of rss + page cache. Peaks are sampled every 100 ms under load.\n\n${table(
    [
      'variant',
      'RSS after init',
      'peak RSS under load',
      'cgroup anon after init',
      'peak cgroup anon',
      'cgroup max usage',
    ],
    rows,
  )}`;
}

function floorSection(result: BenchResult): string {
  const rows: string[][] = [];
  for (const v of result.variants.filter((x) => x.role === 'variant')) {
    const coldFloor = v.floors.coldStart;
    if (coldFloor !== undefined) {
      const a = coldCachedMedianMs(v);
      const b = coldCachedMedianMs(variantIn(result, coldFloor));
      rows.push([
        v.name,
        'cached cold start (median)',
        coldFloor,
        ms(a),
        ms(b),
        times(ratio(a, b)),
      ]);
    }
    const engine = coldCachedMedianMs(variantIn(result, 'floor-engine'));
    if (engine !== null && coldFloor !== 'floor-engine') {
      const a = coldCachedMedianMs(v);
      rows.push([
        v.name,
        'cached cold start (median)',
        'floor-engine',
        ms(a),
        ms(engine),
        times(ratio(a, engine)),
      ]);
    }
    const throughputFloor = v.floors.throughput;
    if (throughputFloor !== undefined) {
      for (const c of result.options.connections) {
        const b = requestsPerSec(variantIn(result, throughputFloor), c);
        if (b === null) continue;
        const a = requestsPerSec(v, c);
        rows.push([
          v.name,
          `req/s at ${c} connection${c === 1 ? '' : 's'}`,
          throughputFloor,
          count(a),
          count(b),
          times(ratio(a, b)),
        ]);
      }
    }
  }
  if (rows.length === 0) return '';
  return `## Against its floor\n\nEach variant next to the bare server on the same base (Node or Go, with the sentinel lines); the proxies also next to the spawn floor (throughput) and the engine floor (cold start). Cold start: lower is better; req/s: higher is better.\n\n${table(
    ['variant', 'measure', 'floor', 'variant', 'floor', 'variant / floor'],
    rows,
    3,
  )}`;
}

function baselineSection(result: BenchResult): string {
  const base = variantIn(result, BASELINE);
  if (base === undefined) return '';
  const connections = result.options.connections;
  const header = ['variant', 'compressed image', 'cached cold start', 'pulled cold start'];
  for (const c of connections) header.push(`req/s c=${c}`);
  header.push('peak RSS');
  const rows = result.variants
    .filter((v) => v.name !== BASELINE)
    .map((v) => {
      const row = [
        v.name,
        times(ratio(compressedBytes(v), compressedBytes(base))),
        times(ratio(coldCachedMedianMs(v), coldCachedMedianMs(base))),
        times(ratio(coldPulledMedianMs(v), coldPulledMedianMs(base))),
      ];
      for (const c of connections)
        row.push(times(ratio(requestsPerSec(v, c), requestsPerSec(base, c))));
      row.push(times(ratio(peakRssBytes(v), peakRssBytes(base))));
      return row;
    });
  return `## Against ${BASELINE} (the seed's baseline)\n\nEach figure is variant / ${BASELINE}: below 1× is smaller or faster for sizes and times, above 1× is more for req/s.\n\n${table(header, rows)}`;
}

function environmentSection(result: BenchResult): string {
  const e = result.environment;
  const rows: [string, string][] = [
    ['CPU', `${e.cpuModel}, ${e.cpuCores} cores`],
    ['memory', megabytes(e.memoryBytes)],
    ['kernel', `${e.kernel}, cgroup v${e.cgroupVersion}`],
    [
      'Docker',
      e.dockerServerVersion === null
        ? DASH
        : `engine ${e.dockerServerVersion}, client ${e.dockerClientVersion ?? DASH}`,
    ],
    [
      'Node',
      `${e.nodeVersionHost} (bench, process mode)${e.nodeVersionImage ? `, ${e.nodeVersionImage} (images)` : ''}`,
    ],
    ['Go', e.goVersion ?? DASH],
    ['autocannon', e.autocannonVersion],
    ['git commit', `${e.gitCommit ?? DASH}${e.gitDirty ? ' (with uncommitted changes)' : ''}`],
    ['CPUs: server / load generator', `${e.serverCpus} / ${e.loadGeneratorCpus}`],
  ];
  return `## Environment\n\n${table(['what', 'value'], rows, 2)}`;
}

function failuresSection(result: BenchResult): string {
  const failed = result.variants.filter((v) => v.status === 'failed');
  if (failed.length === 0) return '';
  const lines = failed.flatMap((v) => v.failures.map((f) => `- **${v.name}**: ${f}`));
  return `## Failures\n\n${lines.join('\n')}`;
}

function chartsSection(result: BenchResult): string {
  const charts = [
    `![Cold start by phase](${CHART_FILES.coldStart})`,
    `![Throughput](${CHART_FILES.throughput})`,
  ];
  if (result.runtime === 'docker') charts.unshift(`![Image size](${CHART_FILES.size})`);
  return `## Charts\n\n${charts.join('\n\n')}`;
}

/** The human report: everything in it comes from the result file. */
export function renderMarkdown(result: BenchResult): string {
  const failed = result.variants.filter((v) => v.status === 'failed').map((v) => v.name);
  const runtimeLine =
    result.runtime === 'docker'
      ? `**Runtime: Docker** (${result.runtimeReason}).`
      : `**Runtime: local processes** — ${result.runtimeReason}. No image or pull figures; servers write their logs to /dev/null.`;
  const head = [
    `# owkit benchmark, ${result.startedAt}`,
    '',
    runtimeLine,
    '',
    `Profile: ${result.options.quick ? 'quick (--quick)' : 'full'}; elapsed ${(result.elapsedMs / 1000).toFixed(0)} s. ${
      failed.length === 0
        ? 'Every variant passed.'
        : `**FAILED: ${failed.join(', ')}** (see Failures).`
    } Raw samples: the JSON file of the same run.`,
  ].join('\n');
  return `${[
    head,
    goalsSection(result),
    imageSection(result.variants),
    coldCachedSection(result),
    coldPulledSection(result),
    throughputSection(result),
    sentinelSection(result),
    memorySection(result),
    floorSection(result),
    baselineSection(result),
    chartsSection(result),
    environmentSection(result),
    failuresSection(result),
  ]
    .filter((section) => section !== '')
    .join('\n\n')}\n`;
}
