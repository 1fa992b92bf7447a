import {
  coldCachedMedianMs,
  coldPulledMedianMs,
  coldPulledOverBaseMedianMs,
  compressedBytes,
  peakRssBytes,
  requestsPerSec,
  variantIn,
} from '../figures.js';
import { countVerdicts, processPassView, relativeWidthPct } from '../goals.js';
import { NOISY_OTHER_PCT, NOISY_STEAL_PCT } from '../noise.js';
import type { BenchResult, PairedRatio, PulledSeries, VariantResult } from '../result.js';
import { ratio } from '../stats.js';
import type { LoadLevel } from '../throughput.js';
import { BASELINE } from '../variants.js';
import { BLACKBOX_ARGV_MAX_BYTES } from '../workload.js';
import { count, DASH, megabytes, ms, percent, ratioWithInterval, table, times } from './format.js';

export const CHART_FILES = {
  size: 'size.svg',
  coldStart: 'cold-start.svg',
  throughput: 'throughput.svg',
  curveConnections: 'curve-connections.svg',
  curvePayload: 'curve-payload.svg',
} as const;

const VERDICT_TEXT = {
  met: '**met**',
  missed: '**MISSED**',
  inconclusive: 'inconclusive',
  'not measured': 'not measured',
} as const;

function roundsText(ratio: PairedRatio): string {
  if (ratio.pairing === 'single') return 'exact';
  const noisy = ratio.noisyRounds > 0 ? `, ${ratio.noisyRounds} noisy` : '';
  return `${ratio.roundRatios.length}${noisy}`;
}

function widthText(ratio: PairedRatio): string {
  if (ratio.pairing === 'single') return DASH;
  const width = relativeWidthPct(ratio);
  const coverage = ratio.interval?.coverage;
  return width === null
    ? DASH
    : `${width.toFixed(1)} %${coverage !== undefined && coverage < 0.95 ? ` (only ${(coverage * 100).toFixed(0)} % sure)` : ''}`;
}

function goalsSection(result: BenchResult): string {
  const rows = result.goals.map((goal) => [
    goal.description,
    `${goal.comparison} ${goal.target}`,
    ratioWithInterval(goal.median, goal.interval),
    widthText(goal),
    roundsText(goal),
    VERDICT_TEXT[goal.verdict],
  ]);
  const counts = countVerdicts(result.goals);
  return `## Goals\n\nEach goal is a ratio of two variants measured in the same rounds of this run: the median of the per-round ratios, and in brackets its 95 % interval (the range that holds the true median with at least 95 % probability; see docs/benchmarking.md). **met**: the whole interval is on the right side of the target; **MISSED**: the whole interval is on the wrong side; inconclusive: it straddles the target (or too few rounds) — more rounds (\`--until-stable\`) or a quieter machine can settle it. Width: the interval's width in percent of the median.\n\n${counts.met} met, ${counts.missed} missed, ${counts.inconclusive} inconclusive${counts.notMeasured > 0 ? `, ${counts.notMeasured} not measured` : ''}.\n\n${table(
    ['goal', 'target', 'median [95 % interval]', 'width', 'rounds', 'verdict'],
    rows,
    1,
  )}${comparisonsText(result)}`;
}

function comparisonsText(result: BenchResult): string {
  if (result.comparisons.length === 0) return '';
  const rows = result.comparisons.map((c) => [
    c.description,
    ratioWithInterval(c.median, c.interval),
    widthText(c),
    roundsText(c),
  ]);
  return `\n\n### Paired comparisons without a target\n\nThe same per-round ratios for what node-base's memory flags, the sentinel lines and a web action's mapping (the reverse-web examples against reverse-string on the same runtime) cost.\n\n${table(
    ['ratio', 'median [95 % interval]', 'width', 'rounds'],
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
        facts.baseMismatch === null
          ? (facts.baseImage ?? 'scratch')
          : `${facts.baseImage} (an older build of it)`,
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

function pulledRows(result: BenchResult, pick: (v: VariantResult) => PulledSeries | null) {
  return result.variants
    .filter((v) => pick(v)?.summaryMs)
    .map((v) => {
      const pulled = pick(v) as PulledSeries;
      const s = pulled.summaryMs as NonNullable<PulledSeries['summaryMs']>;
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
}

const PULL_HEADER = [
  'variant',
  'pull (median)',
  'cold start after pull',
  'pull + cold start',
  'p90',
  'transfer at 100 Mbit/s',
  'at 1 Gbit/s',
];

function coldPulledSection(result: BenchResult): string {
  const parts: string[] = [];
  const overBase = pulledRows(result, (v) => v.coldStartPulledOverBase);
  if (overBase.length > 0) {
    parts.push(
      `## Cold start, image pulled over its base layers\n\n${result.options.pullRepeats} runs per variant on the main engine: the image's tags are removed (so are the layers no other image holds), it is pulled back from a registry on 127.0.0.1 and run. The base image's layers stay on the host, as on an invoker already running actions on the same base: only the action's layers travel (a FROM scratch image has no base, so this is a pull from nothing). The modelled columns are those layers' compressed bytes over a link of that speed.\n\n${table(PULL_HEADER, overBase)}`,
    );
  }
  const fromNothing = pulledRows(result, (v) => v.coldStartPulled);
  if (fromNothing.length > 0) {
    parts.push(
      `## Cold start, image pulled from nothing\n\n${result.options.pullRepeats} runs per variant on a throw-away Docker engine whose image store is emptied before every pull (no shared base layer), from a registry on 127.0.0.1. The modelled columns are the compressed bytes alone over a link of that speed.\n\n${table(PULL_HEADER, fromNothing)}`,
    );
  }
  const bursts = result.variants
    .filter((v) => v.burst?.summaryMs)
    .map((v) => {
      const burst = v.burst as NonNullable<VariantResult['burst']>;
      const s = burst.summaryMs as NonNullable<typeof burst.summaryMs>;
      return [v.name, ms(s.p50, 0), ms(s.worst, 0), String(s.count), ms(coldCachedMedianMs(v))];
    });
  if (bursts.length > 0) {
    const size = result.options.burstSize;
    parts.push(
      `## Bursts: ${size} cold starts at once\n\n${result.options.burstRepeats} burst(s) per variant: ${size} containers of the cached image started at the same moment (scale-out), each timed from its \`docker run\` to its first answer.\n\n${table(
        ['variant', 'p50', 'worst', 'containers', 'one at a time (median)'],
        bursts,
      )}`,
    );
  }
  return parts.join('\n\n');
}

function throughputSection(result: BenchResult): string {
  const levels = result.options.connections;
  const header = ['variant'];
  for (const c of levels) header.push(`req/s c=${c}`, `min–max c=${c}`, `p50 c=${c}`, `p99 c=${c}`);
  for (const c of levels) header.push(`server CPU µs/req c=${c}`);
  const rows = result.variants
    .filter((v) => v.throughput !== null && v.throughput.levels.length > 0)
    .map((v) => {
      const row = [v.status === 'failed' ? `${v.name} (FAILED)` : v.name];
      for (const c of levels) {
        const level = v.throughput?.levels.find((l) => l.connections === c);
        row.push(
          count(level?.requestsPerSec),
          level === undefined
            ? DASH
            : `${count(level.requestsPerSecMin)}–${count(level.requestsPerSecMax)}`,
          ms(level?.latencyP50Ms, 3),
          ms(level?.latencyP99Ms, 3),
        );
      }
      for (const c of levels) {
        const level = v.throughput?.levels.find((l) => l.connections === c);
        row.push(count(level?.serverCpuMicrosPerRequest, 1));
      }
      return row;
    });
  const spawn = variantIn(result, 'floor-spawn')?.spawnFloor;
  const spawnText = spawn
    ? `\n\nSpawn floor (Node spawning the Go blackbox binary, one call at a time, no HTTP, held to CPU ${spawn.cpuset}): **${count(spawn.callsPerSec)} calls/s** in the median round, ${ms(spawn.perCallMsP50, 2)} per call at the median, p90 ${ms(spawn.perCallMsP90, 2)}, p99 ${ms(spawn.perCallMsP99, 2)} (through execa; per round ${spawn.rounds.map((r) => count(r.callsPerSec)).join(' · ')}).${
        spawn.childProcess
          ? ` Through bare \`node:child_process\`, as the proxy spawns: ${count(spawn.childProcess.callsPerSec)} calls/s, ${ms(spawn.childProcess.perCallMsP50, 2)} per call at the median.`
          : ''
      }`
    : '';
  if (rows.length === 0) return `## Throughput${spawnText}`;
  return `## Throughput\n\nautocannon ${result.environment.autocannonVersion}, POST \`/run\`, pipelining 1. Every server is started once and kept up; ${result.options.loadRounds} interleaved rounds (every variant once per round, the order rotated), each ${result.options.loadDurationSeconds} s per connection count after a ${result.options.warmupSeconds} s warm-up whose bodies are checked byte for byte. Figures are medians over the rounds; min–max is the spread of req/s over the rounds (every round is in the JSON). Server held to CPU ${result.environment.serverCpus}, load generator to CPU ${result.environment.loadGeneratorCpus}. Any error, timeout, non-2xx or wrong body fails the variant and leaves that round out. Latencies are exact percentiles of every response time.\n\n${table(header, rows)}${spawnText}`;
}

/** `100 B`, `10 KB`, `1 MB`: decimal, as the platform states its 1 MB limit. */
export function payloadLabel(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${bytes / 1_000} KB`;
  return `${bytes / 1_000_000} MB`;
}

/** req/s (p50 / p99) per variant at every curve point; the blackbox row says argv or stdin. */
function curvesSection(result: BenchResult): string {
  const withCurves = result.variants.filter((v) => v.curves !== null);
  if (withCurves.length === 0) return '';
  const cell = (level: LoadLevel | undefined) =>
    level === undefined
      ? DASH
      : `${count(level.requestsPerSec)} (${ms(level.latencyP50Ms, 2)} / ${ms(level.latencyP99Ms, 2)})`;
  const byConnections = table(
    ['variant', ...result.options.curveConnections.map((c) => `c=${c}`)],
    withCurves.map((v) => [
      v.name,
      ...result.options.curveConnections.map((c) =>
        cell(v.curves?.connections.find((l) => l.connections === c)),
      ),
    ]),
  );
  const paramsBytes = (payload: number) => payload + JSON.stringify({ payload: '' }).length;
  const byPayload = table(
    ['variant', ...result.options.curvePayloadBytes.map(payloadLabel)],
    [
      ...withCurves.map((v) => [
        v.name,
        ...result.options.curvePayloadBytes.map((b) =>
          cell(v.curves?.payloads.find((l) => l.payloadBytes === b)),
        ),
      ]),
      [
        'go-blackbox: params reach the action by',
        ...result.options.curvePayloadBytes.map((b) =>
          paramsBytes(b) <= BLACKBOX_ARGV_MAX_BYTES ? 'argv + stdin' : 'stdin only',
        ),
      ],
    ],
  );
  return `## Curves\n\nOne pass per point after the rounds, the same servers, ${result.options.curveSeconds.duration} s each after a ${result.options.curveSeconds.warmup} s warm-up (answers checked byte for byte; the no-sentinels floors are left out). Each cell: req/s (p50 / p99 latency). Descriptive only: no goal reads a curve, and a single pass carries the noise of its moment.\n\n### Against connections (default payload)\n\n${byConnections}\n\n### Against payload size (1 connection)\n\nThe payload is a string of that many ASCII letters; the blackbox proxy passes the params JSON as an argument up to ${BLACKBOX_ARGV_MAX_BYTES.toLocaleString('en')} bytes (the kernel's per-argument limit) and always on stdin.\n\n${byPayload}`;
}

/** What else the machine did, round by round, next to the spread it may explain. */
function noiseSection(result: BenchResult): string {
  if (result.noise.length === 0) return '';
  const rows = result.noise.map((n) => [
    n.phase,
    String(n.round),
    `${(n.wallMs / 1000).toFixed(1)} s`,
    percent(n.stealPct),
    percent(n.iowaitPct),
    percent(n.otherPct),
    percent(n.enginePct),
    percent(n.busyPct),
    n.cpuMHz === null ? DASH : n.cpuMHz.toFixed(0),
    n.noisy ? `**noisy** (${n.noisyBecause.join(', ')})` : '',
  ]);
  const noisy = result.noise.filter((n) => n.noisy).length;
  const steal = result.noise.map((n) => n.stealPct).sort((a, b) => a - b);
  const medianSteal = steal[Math.floor((steal.length - 1) / 2)] ?? 0;
  return `## Noise\n\nPer round, as shares of all CPUs' time: steal (taken by the hypervisor for other VMs), iowait, other (everything on this machine but the bench, its servers and the engine), the container engine's own work (dockerd, containerd, shims) and all busy time; CPU frequency where the kernel shows it. A round is flagged noisy past ${NOISY_STEAL_PCT} % steal or ${NOISY_OTHER_PCT} % other load. ${noisy} of ${result.noise.length} rounds were noisy; median steal ${medianSteal.toFixed(1)} %. Read the intervals of the goals with these beside them: a wide interval with noisy rounds is the machine, a wide interval without them is the variant.\n\n${table(
    ['phase', 'round', 'wall', 'steal', 'iowait', 'other', 'engine', 'busy', 'MHz', ''],
    rows,
    1,
  )}`;
}

function phasesSection(result: BenchResult): string {
  const notMeasured = result.phases.filter((p) => p.status !== 'measured');
  if (notMeasured.length === 0) return '';
  const lines = notMeasured.map(
    (p) => `- **${p.phase}**: ${p.status === 'skipped' ? 'skipped' : 'FAILED'} — ${p.reason ?? ''}`,
  );
  return `## Phases not measured\n\n${lines.join('\n')}`;
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
  const header = [
    'variant',
    'compressed image',
    'cached cold start',
    'pulled over base',
    'pulled from nothing',
  ];
  for (const c of connections) header.push(`req/s c=${c}`);
  header.push('peak RSS');
  const rows = result.variants
    .filter((v) => v.name !== BASELINE)
    .map((v) => {
      const row = [
        v.name,
        times(ratio(compressedBytes(v), compressedBytes(base))),
        times(ratio(coldCachedMedianMs(v), coldCachedMedianMs(base))),
        times(ratio(coldPulledOverBaseMedianMs(v), coldPulledOverBaseMedianMs(base))),
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
  const phases = result.phases.filter((p) => p.status === 'failed');
  const notes = result.variants.flatMap((v) =>
    (v.throughput?.notes ?? []).map((n) => `- ${v.name}: ${n}`),
  );
  const notesText = notes.length === 0 ? '' : `\n\n### Rounds left out\n\n${notes.join('\n')}`;
  if (failed.length === 0 && phases.length === 0)
    return notesText === '' ? '' : `## Failures\n\nNone.${notesText}`;
  const lines = [
    ...failed.flatMap((v) => v.failures.map((f) => `- **${v.name}**: ${f}`)),
    ...phases.map((p) => `- **${p.phase}**: ${p.reason ?? ''}`),
  ];
  return `## Failures\n\n${lines.join('\n')}${notesText}`;
}

/** The process pass's own tables, one heading level down. */
function processPassSection(result: BenchResult): string {
  const pass = processPassView(result);
  if (pass === null) return '';
  const sub = (section: string) => section.replace(/^## /gm, '### ');
  const parts = [
    phasesSection(pass),
    coldCachedSection(pass),
    throughputSection(pass),
    memorySection(pass),
    noiseSection(pass),
    failuresSection(pass),
  ]
    .filter((section) => section !== '')
    .map(sub);
  return `## As processes (the process pass)\n\nThe goals' variants as local processes after the run in containers (\`--runtime both\`): each server's stdout and stderr go to a file, the server is held to CPU ${result.environment.serverCpus} with \`taskset\`, the load generator to CPU ${result.environment.loadGeneratorCpus}; the same rounds as above, no curves. Server CPU per request is the process tree's utime + stime from \`/proc\` (reaped children included). The host's Node (${result.environment.nodeVersionHost}) runs the Node variants, not the images' Node 24.\n\n${parts.join('\n\n')}`;
}

function chartsSection(result: BenchResult): string {
  const charts = [
    `![Cold start by phase](${CHART_FILES.coldStart})`,
    `![Throughput](${CHART_FILES.throughput})`,
  ];
  if (result.runtime === 'docker') charts.unshift(`![Image size](${CHART_FILES.size})`);
  if (result.variants.some((v) => (v.curves?.connections.length ?? 0) > 0)) {
    charts.push(`![Curves against connections](${CHART_FILES.curveConnections})`);
  }
  if (result.variants.some((v) => (v.curves?.payloads.length ?? 0) > 0)) {
    charts.push(`![Curves against payload size](${CHART_FILES.curvePayload})`);
  }
  return `## Charts\n\n${charts.join('\n\n')}`;
}

/** The human report: everything in it comes from the result file. */
/** The human report: everything in it comes from the result file named `rawFile`. */
export function renderMarkdown(result: BenchResult, rawFile = 'result.json'): string {
  const passVariants = result.processPass?.variants ?? [];
  const passPhases = result.processPass?.phases ?? [];
  const failed = [
    ...result.variants.filter((v) => v.status === 'failed').map((v) => v.name),
    ...passVariants.filter((v) => v.status === 'failed').map((v) => `${v.name} (process pass)`),
  ];
  const failedPhases = [...result.phases, ...passPhases]
    .filter((p) => p.status === 'failed')
    .map((p) => p.phase);
  const counts = countVerdicts(result.goals);
  const runtimeLine =
    result.runtime === 'docker'
      ? `**Runtime: Docker** (${result.runtimeReason}).`
      : `**Runtime: local processes** — ${result.runtimeReason}. No image or pull figures; servers write their logs to files.`;
  const pass = processPassView(result);
  const passLine =
    pass === null
      ? ''
      : ` Then a **process pass** (\`--runtime both\`): ${pass.variants.map((v) => v.name).join(', ')} again as local processes, logs to files — see [As processes](#as-processes-the-process-pass); the goals measured there end in \`-process\`.`;
  const measurement =
    failed.length === 0 && failedPhases.length === 0
      ? 'Every measurement completed.'
      : `**FAILED: ${[...failed, ...failedPhases].join(', ')}** (see Failures and Phases).`;
  const goals =
    counts.missed === 0 && counts.inconclusive === 0
      ? `All ${counts.met} measured goals met.`
      : `Goals: ${counts.met} met, **${counts.missed} missed**, **${counts.inconclusive} inconclusive**${
          result.options.quick
            ? ' — a quick run on a busy machine can miss or leave a goal open by noise alone; the full profile or `--until-stable` settles it.'
            : '.'
        }`;
  const head = [
    `# owkit benchmark, ${result.startedAt}`,
    '',
    `${runtimeLine}${passLine}`,
    '',
    `Profile: ${result.options.quick ? 'quick (--quick)' : 'full'}; elapsed ${(result.elapsedMs / 1000).toFixed(0)} s; run as ${result.uid === 0 ? 'root' : `uid ${result.uid ?? '?'}`}. ${measurement} ${goals} Raw samples: [${rawFile}](${rawFile}).`,
  ].join('\n');
  return `${[
    head,
    goalsSection(result),
    phasesSection(result),
    imageSection(result.variants),
    coldCachedSection(result),
    coldPulledSection(result),
    throughputSection(result),
    curvesSection(result),
    noiseSection(result),
    memorySection(result),
    floorSection(result),
    baselineSection(result),
    processPassSection(result),
    chartsSection(result),
    environmentSection(result),
    failuresSection(result),
  ]
    .filter((section) => section !== '')
    .join('\n\n')}\n`;
}
