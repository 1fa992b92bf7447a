import * as vega from 'vega';
import * as vl from 'vega-lite';
import { requestsPerSec } from '../figures.js';
import type { BenchResult } from '../result.js';
import { BLACKBOX_ARGV_MAX_BYTES } from '../workload.js';
import { CHART_FILES } from './markdown.js';

type Spec = vl.TopLevelSpec;

const WIDTH = 520;
const FONT = 'Helvetica, Arial, sans-serif';
const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
};

/** Headless: vega renders to an SVG string with no browser and no canvas. */
export async function toSvg(spec: Spec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function sizeSpec(result: BenchResult): Spec | null {
  const values = result.variants.flatMap((v) => {
    const facts = v.imageFacts;
    if (facts === null) return [];
    const rows = [{ variant: v.name, measure: 'uncompressed', megabytes: facts.imageBytes / 1e6 }];
    if (facts.compressedImageBytes !== null) {
      rows.push({
        variant: v.name,
        measure: 'compressed (pulled)',
        megabytes: facts.compressedImageBytes / 1e6,
      });
    }
    return rows;
  });
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Image size (MB = 10^6 bytes)',
    width: WIDTH,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'variant', type: 'nominal', sort: null, title: null },
      yOffset: { field: 'measure', type: 'nominal' },
      x: { field: 'megabytes', type: 'quantitative', title: 'MB' },
      color: { field: 'measure', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
    config,
  } as Spec;
}

const PHASE_LABELS = [
  ['pullMs', '1 pull'],
  ['startMs', '2 start'],
  ['listenMs', '3 listen'],
  ['initMs', '4 /init'],
  ['firstRunMs', '5 first /run'],
] as const;

export function coldStartSpec(result: BenchResult): Spec | null {
  const values: { variant: string; phase: string; ms: number; mode: string }[] = [];
  for (const v of result.variants) {
    const modes = [
      ['image cached', v.coldStartCached?.summaryMs],
      ['image pulled', v.coldStartPulled?.summaryMs],
    ] as const;
    for (const [mode, summary] of modes) {
      if (!summary) continue;
      for (const [key, phase] of PHASE_LABELS) {
        const phaseSummary = (summary as Record<string, { median: number } | undefined>)[key];
        if (phaseSummary !== undefined)
          values.push({ variant: v.name, phase, ms: phaseSummary.median, mode });
      }
    }
  }
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Cold start to the first /run answer, median of each phase',
    data: { values },
    facet: {
      row: { field: 'mode', type: 'nominal', title: null, sort: ['image cached', 'image pulled'] },
    },
    spec: {
      width: WIDTH,
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'variant', type: 'nominal', sort: null, title: null },
        x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'milliseconds' },
        color: { field: 'phase', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        order: { field: 'phase', type: 'ordinal' },
      },
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config,
  } as Spec;
}

export function throughputSpec(result: BenchResult): Spec | null {
  const values = result.variants.flatMap((v) =>
    result.options.connections.flatMap((connections) => {
      const rps = requestsPerSec(v, connections);
      return rps === null || rps <= 0
        ? []
        : [
            {
              variant: v.name,
              connections: `${connections} connection${connections === 1 ? '' : 's'}`,
              rps,
            },
          ];
    }),
  );
  if (values.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Throughput, requests per second (log scale)',
    width: WIDTH,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'variant', type: 'nominal', sort: null, title: null },
      yOffset: { field: 'connections', type: 'nominal' },
      // A log scale has no zero: bars start at 10 req/s, below anything a variant does.
      x: {
        field: 'rps',
        type: 'quantitative',
        scale: { type: 'log', domainMin: 10 },
        title: 'req/s',
      },
      x2: { datum: 10 },
      color: { field: 'connections', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
    config,
  } as Spec;
}

type CurveKey = 'connections' | 'payloads';

/** One row per variant, point and measure: req/s, p50 and p99 latency, each on its own panel. */
function curveRows(result: BenchResult, key: CurveKey) {
  return result.variants.flatMap((v) =>
    (v.curves?.[key] ?? []).flatMap((level) => {
      const x = key === 'connections' ? level.connections : (level.payloadBytes ?? 0);
      const rows = [{ variant: v.name, x, measure: 'req/s', value: level.requestsPerSec }];
      if (level.latencyP50Ms !== null) {
        rows.push({ variant: v.name, x, measure: 'p50 latency, ms', value: level.latencyP50Ms });
      }
      if (level.latencyP99Ms !== null) {
        rows.push({ variant: v.name, x, measure: 'p99 latency, ms', value: level.latencyP99Ms });
      }
      return rows.filter((row) => row.value > 0);
    }),
  );
}

export function curveSpec(result: BenchResult, key: CurveKey): Spec | null {
  const values = curveRows(result, key);
  if (values.length === 0) return null;
  const byConnections = key === 'connections';
  const line = {
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        scale: { type: 'log', base: byConnections ? 2 : 10 },
        title: byConnections ? 'connections' : 'payload, bytes (1 connection)',
      },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: null },
      color: { field: 'variant', type: 'nominal', title: null, legend: { orient: 'bottom' } },
    },
  };
  // Where the blackbox proxy stops passing params as argv: only stdin carries them above it.
  const argvLimit = {
    data: { values: [{ x: BLACKBOX_ARGV_MAX_BYTES, label: 'blackbox: argv → stdin only' }] },
    layer: [
      {
        mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'top', color: 'gray' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { value: 0 },
          text: { field: 'label' },
        },
      },
    ],
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: byConnections
      ? 'Throughput and latency against connections (default payload)'
      : 'Throughput and latency against payload size',
    data: { values },
    facet: {
      row: {
        field: 'measure',
        type: 'nominal',
        title: null,
        sort: ['req/s', 'p50 latency, ms', 'p99 latency, ms'],
      },
    },
    spec: { width: WIDTH, height: 160, layer: byConnections ? [line] : [line, argvLimit] },
    resolve: { scale: { y: 'independent' } },
    config,
  } as Spec;
}

/** File name → SVG text for every chart the result has data for. */
export async function renderCharts(result: BenchResult): Promise<Map<string, string>> {
  const charts = new Map<string, string>();
  const specs = [
    [CHART_FILES.size, sizeSpec(result)],
    [CHART_FILES.coldStart, coldStartSpec(result)],
    [CHART_FILES.throughput, throughputSpec(result)],
    [CHART_FILES.curveConnections, curveSpec(result, 'connections')],
    [CHART_FILES.curvePayload, curveSpec(result, 'payloads')],
  ] as const;
  for (const [file, spec] of specs) {
    if (spec !== null) charts.set(file, await toSvg(spec));
  }
  return charts;
}
