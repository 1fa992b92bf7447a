import { SENTINEL } from '@owkit/testkit';
import { describe, expect, it } from 'vitest';
import { invoke } from '../src/invoke/invoke.js';
import { parseOptions } from '../src/invoke/options.js';
import { renderReport } from '../src/invoke/render.js';
import { REPO_ROOT, runBin } from './fixtures.js';

const progress = () => undefined;
const run = (...argv: string[]) => invoke(parseOptions(argv, {}), { root: REPO_ROOT, progress });

describe('pnpm invoke --process', () => {
  it('runs the TS bundle as the invoker would and reports result, logs and timings', async () => {
    const report = await run('reverse-string', '--process', '{"payload":"hello"}', '--warm', '2');
    expect(report.ok).toBe(true);
    expect(report.mode).toBe('process');
    expect(report.init).toEqual({ status: 200, body: { ok: true } });
    expect(report.activations.map((a) => [a.status, a.result])).toEqual([
      [200, { reversed: 'olleh' }],
      [200, { reversed: 'olleh' }],
      [200, { reversed: 'olleh' }],
    ]);
    expect(new Set(report.activations.map((a) => a.activationId)).size).toBe(3);
    expect(report.activations[0]?.activationId).toMatch(/^[0-9a-f]{32}$/);
    expect(report.logsComplete).toBe(true);
    expect(report.timings.warmRunMs).toHaveLength(2);
    const text = renderReport(report);
    expect(text).toContain('"reversed": "olleh"');
    expect(text).toMatch(/start → listening\s+\d/);
    expect(text).toMatch(/warm \/run × 2/);
    expect(text).not.toContain(SENTINEL);
  });

  it.each([
    ['go-native', 'bin/native'],
    ['go-blackbox', 'owkit-proxy.mjs --mode blackbox --exec'],
    ['go-actionloop', 'owkit-proxy.mjs --mode actionloop --exec'],
  ])('runs the %s style locally (%s)', async (style, command) => {
    const report = await run(
      'reverse-string-go',
      '--process',
      '--style',
      style,
      '--param',
      'payload=abc',
    );
    expect(report.command).toContain(command);
    expect(report.activations[0]?.result).toEqual({ reversed: 'cba' });
    expect(report.ok).toBe(true);
  });

  it('reports an application error as a failed activation, with the error body', async () => {
    const report = await run('reverse-string', '--process', '--param', 'payload=7');
    expect(report.ok).toBe(false);
    expect(report.activations[0]).toMatchObject({
      status: 200,
      result: { error: 'payload must be a string' },
    });
  });
});

describe('pnpm invoke without a Docker engine', () => {
  it('says so at once, before building anything, and offers --process', async () => {
    const startedAt = performance.now();
    const result = await runBin('invoke', ['reverse-string', '--param', 'payload=abc'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^invoke: no Docker engine answers \(.*\): start one .*; or run the action without Docker, as a local process, by adding --process$/,
      ),
    ]);
  });
});
