import { describe, expect, it } from 'vitest';
import { evaluateGoals } from '../src/compare.js';
import { renderCharts } from '../src/report/charts.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderSummary } from '../src/report/summary.js';
import { timestampName } from '../src/report/write.js';
import { fixtureResult } from './fixtures/result.js';

function withGoals() {
  const result = fixtureResult();
  result.goals = evaluateGoals(result);
  return result;
}

describe('goals', () => {
  it('marks each goal met, missed or not measured from the ratio of this run', () => {
    const goals = new Map(withGoals().goals.map((goal) => [goal.id, goal]));
    expect(goals.get('image-go-native')).toMatchObject({ ratio: 0.04, status: 'met' });
    expect(goals.get('cold-start-go-native')?.ratio).toBeCloseTo(140 / 210);
    expect(goals.get('cold-start-go-native')?.status).toBe('met');
    expect(goals.get('throughput-go-native')).toMatchObject({ ratio: 20, status: 'met' });
    // 140 / 110 > 1.15: go-native misses its floor goal.
    expect(goals.get('cold-start-floor-go-native')).toMatchObject({ status: 'missed' });
    expect(goals.get('throughput-floor-go-native-c32')).toMatchObject({
      ratio: 0.8,
      status: 'missed',
    });
    // No go-actionloop and no floor-node in the fixture.
    expect(goals.get('throughput-go-actionloop')?.status).toBe('not measured');
    expect(goals.get('cold-start-floor-go-blackbox')?.status).toBe('not measured');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(withGoals());

  it('says the runtime at the top', () => {
    expect(markdown.split('\n').slice(0, 4).join('\n')).toContain('**Runtime: Docker**');
  });

  it('lists goals with their measured ratios and status', () => {
    expect(markdown).toContain(
      '| go-native compressed image vs go-blackbox | <= 0.1 | 0.040 | **met** |',
    );
    expect(markdown).toContain(
      '| go-native req/s at 32 connections vs floor-go | >= 0.9 | 0.800 | **MISSED** |',
    );
  });

  it('tabulates size, cold start and throughput from the result', () => {
    expect(markdown).toContain('| go-native | scratch | 2.00 MB | 5.00 MB | 1 |');
    expect(markdown).toContain('| go-native | 140.0 ms | 150.0 ms | 130.0 ms | 150.0 ms |');
    expect(markdown).toContain('| go-blackbox | 350 | 0.100 ms | 0.500 ms | 600 |');
    expect(markdown).toContain('**400 calls/s**');
    expect(markdown).toContain(
      'Through bare `node:child_process`, as the proxy spawns: 450 calls/s, 2.10 ms per call',
    );
  });

  it('gives each variant against its floor and against go-blackbox', () => {
    expect(markdown).toContain(
      '| go-native | req/s at 32 connections | floor-go | 40,000 | 50,000 | 0.80× |',
    );
    expect(markdown).toContain(
      '| go-blackbox | req/s at 1 connection | floor-spawn | 350 | 400 | 0.88× |',
    );
    expect(markdown).toMatch(
      /\| go-native \| 0\.04× \| 0\.67× \| — \| 20\.0× \| 66\.7× \| 1\.00× \|/,
    );
  });

  it('names the rounds and lists every round behind each median', () => {
    expect(markdown).not.toContain('req/s per round');
    const result = withGoals();
    result.options.loadRounds = 3;
    const native = result.variants.find((v) => v.name === 'go-native');
    const level = native?.throughput?.levels.find((l) => l.connections === 32);
    if (level === undefined) throw new Error('fixture has no go-native level at 32');
    level.requestsPerSecRounds = [38_000, 40_000, 41_500];
    const rendered = renderMarkdown(result);
    expect(rendered).toContain('3 interleaved rounds (every variant once per round)');
    expect(rendered).toContain('- go-native, c=32: 38,000 · 40,000 · 41,500');
  });

  it('says when the processes ran without Docker', () => {
    const result = withGoals();
    result.runtime = 'process';
    result.runtimeReason = 'NO DOCKER ENGINE ANSWERED';
    expect(renderMarkdown(result)).toContain(
      '**Runtime: local processes** — NO DOCKER ENGINE ANSWERED',
    );
  });
});

describe('charts and summary', () => {
  it('renders every chart as SVG through vega', async () => {
    const charts = await renderCharts(withGoals());
    expect([...charts.keys()].sort()).toEqual(['cold-start.svg', 'size.svg', 'throughput.svg']);
    for (const svg of charts.values()) {
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('go-native');
    }
  });

  it('prints a summary line per variant and the goals', () => {
    const summary = renderSummary(withGoals());
    expect(summary).toMatch(/go-native\s+ok\s+2\.00 MB\s+140\.0 ms/);
    expect(summary).toContain('MISSED go-native req/s at 32 connections vs floor-go: 0.800');
  });

  it('names result files by UTC time', () => {
    expect(timestampName('2026-11-29T07:00:05.123Z')).toBe('2026-11-29T07-00-05Z.json');
  });
});
