import { describe, expect, it } from 'vitest';
import { evaluateComparisons, evaluateGoals } from '../src/goals.js';
import { renderCharts } from '../src/report/charts.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderSummary } from '../src/report/summary.js';
import { fixtureResult, level, withProcessPass } from './fixtures/result.js';

function withGoals() {
  const result = fixtureResult();
  result.goals = evaluateGoals(result);
  result.comparisons = evaluateComparisons(result);
  return result;
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(withGoals());

  it('says the runtime, the user and the verdict counts at the top', () => {
    const head = markdown.split('\n').slice(0, 5).join('\n');
    expect(head).toContain('**Runtime: Docker**');
    expect(head).toContain('run as uid 1000');
    expect(head).toContain('Every measurement completed.');
    expect(head).toContain('Goals: 5 met, **2 missed**, **1 inconclusive**');
    expect(head).not.toContain('Every variant passed');
    expect(head).toContain('[result.json](result.json)');
  });

  it('lists goals with the median of per-round ratios, the interval, width and verdict', () => {
    expect(markdown).toContain(
      '| go-native compressed image vs go-blackbox (in containers) | <= 0.1 | 0.040 | — | exact | **met** |',
    );
    expect(markdown).toContain(
      '| go-native req/s at 1 connection vs floor-go (in containers) | >= 0.9 | 0.943 [0.789, 1.029] | 25.4 % | 6, 1 noisy | inconclusive |',
    );
    expect(markdown).toMatch(
      /\| go-native req\/s at 32 connections vs floor-go \(in containers\) \| >= 0\.9 \| 0\.800 \[0\.796, 0\.804\] \| [\d.]+ % \| 6, 1 noisy \| \*\*MISSED\*\* \|/,
    );
  });

  it('says which phases were skipped and why', () => {
    expect(markdown).toContain(
      '- **pulls from nothing (throw-away engine)**: skipped — starting dockerd needs root (this is uid 1000)',
    );
  });

  it('shows the noise of every round next to the goals', () => {
    expect(markdown).toContain('1 of 6 rounds were noisy');
    expect(markdown).toContain('| throughput | 3 | 10.0 s | 12.0 % |');
    expect(markdown).toContain('**noisy** (steal 12.0 %)');
  });

  it('tabulates size, cold start and throughput (medians and spread over rounds)', () => {
    expect(markdown).toContain('| go-native | scratch | 2.00 MB | 5.00 MB | 1 |');
    expect(markdown).toContain('| go-native | 140.0 ms | 150.0 ms | 130.0 ms | 150.0 ms |');
    expect(markdown).toContain('| go-blackbox | 350 | 340–360 | 0.100 ms | 0.500 ms |');
    expect(markdown).toContain('**400 calls/s**');
    expect(markdown).toContain('per round 400 · 400 · 400 · 400 · 400 · 400');
  });

  it('says when the processes ran without Docker', () => {
    const result = withGoals();
    result.runtime = 'process';
    result.runtimeReason = 'NO DOCKER ENGINE ANSWERED';
    expect(renderMarkdown(result)).toContain(
      '**Runtime: local processes** — NO DOCKER ENGINE ANSWERED',
    );
  });

  it('names failed variants and failed phases at the top', () => {
    const result = withGoals();
    result.phases.push({ phase: 'bursts', status: 'failed', reason: 'docker run failed: x' });
    result.failed = true;
    const rendered = renderMarkdown(result);
    expect(rendered).toContain('**FAILED: bursts**');
    expect(rendered).toContain('- **bursts**: docker run failed: x');
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

  it('prints a line per variant, every goal with its interval and the verdict counts', () => {
    const summary = renderSummary(withGoals());
    expect(summary).toMatch(/go-native\s+ok\s+2\.00 MB\s+140\.0 ms/);
    expect(summary).toContain(
      'MISSED       go-native req/s at 32 connections vs floor-go (in containers): 0.800 [0.796, 0.804] (target >= 0.9)',
    );
    expect(summary).toContain(
      'INCONCLUSIVE go-native req/s at 1 connection vs floor-go (in containers): 0.943 [0.789, 1.029] (target >= 0.9; the interval straddles the target)',
    );
    expect(summary).toContain('skipped pulls from nothing (throw-away engine)');
    expect(summary).toContain('goals: 5 met, 2 MISSED, 1 INCONCLUSIVE');
    expect(summary).toContain('1 of 6 rounds noisy');
  });
});

describe('curves', () => {
  function withCurves() {
    const result = withGoals();
    result.options.curveConnections = [1, 64];
    result.options.curvePayloadBytes = [100, 1_000_000];
    for (const v of result.variants.filter((x) => x.throughput !== null)) {
      v.curves = {
        connections: [level(1, 1000), level(64, 2000)],
        payloads: [
          { ...level(1, 900), payloadBytes: 100 },
          { ...level(1, 90), payloadBytes: 1_000_000 },
        ],
      };
    }
    return result;
  }

  it('tabulates every point and says where the blackbox params leave argv', () => {
    const markdown = renderMarkdown(withCurves());
    expect(markdown).toContain(
      '| go-native | 1,000 (0.10 ms / 0.50 ms) | 2,000 (0.10 ms / 0.50 ms) |',
    );
    expect(markdown).toContain(
      '| go-blackbox: params reach the action by | argv + stdin | stdin only |',
    );
    expect(markdown).toContain('![Curves against payload size](curve-payload.svg)');
  });

  it('charts both curves, with the argv limit drawn on the payload chart', async () => {
    const charts = await renderCharts(withCurves());
    expect(charts.get('curve-connections.svg')).toContain('go-blackbox');
    expect(charts.get('curve-payload.svg')).toContain('argv → stdin only');
  });
});

describe('a --runtime both run', () => {
  const result = withProcessPass(fixtureResult());
  result.goals = evaluateGoals(result);

  it('gives the process pass its own section and says so at the top', () => {
    const markdown = renderMarkdown(result);
    expect(markdown.split('\n').slice(0, 4).join('\n')).toContain(
      'Then a **process pass** (`--runtime both`): go-native, floor-go, go-blackbox, floor-python-spawn again as local processes',
    );
    const pass = markdown.slice(markdown.indexOf('## As processes (the process pass)'));
    expect(pass).toContain('### Throughput');
    expect(pass).toMatch(/\| go-native \| 9,000 \|/);
    expect(pass).toMatch(/\| go-native .*\| 30\.0 \| 30\.0 \|/);
    expect(markdown).toContain(
      '| go-blackbox req/s at 32 connections vs floor-python-spawn (as processes) | >= 1.5 |',
    );
  });

  it('prints the pass as a second table with CPU per request beside req/s', () => {
    const summary = renderSummary(result);
    const pass = summary.slice(summary.indexOf('as processes (the process pass'));
    expect(pass).toMatch(/floor-python-spawn\s+ok\s+—\s+—\s+—\s+—\s+200\s+20\.0\s+600\s+20\.0/);
    expect(summary).toContain(
      'MISSED       go-native server CPU per request at 32 connections vs floor-go (as processes): 1.500',
    );
  });
});
