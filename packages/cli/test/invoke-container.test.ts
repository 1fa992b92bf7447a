import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describeWithDocker } from '@owkit/testkit';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { invoke } from '../src/invoke/invoke.js';
import { parseOptions } from '../src/invoke/options.js';
import {
  buildLoggingImage,
  buildSilentImage,
  CLI_BIN,
  LOGGING_IMAGE,
  leftoverContainers,
  REPO_ROOT,
  removeImages,
  runBin,
  SILENT_IMAGE,
} from './fixtures.js';

const progress = () => undefined;
const run = (...argv: string[]) => invoke(parseOptions(argv, {}), { root: REPO_ROOT, progress });

describeWithDocker('pnpm invoke on containers', () => {
  beforeAll(async () => {
    await Promise.all([buildLoggingImage(), buildSilentImage()]);
  });
  afterAll(async () => {
    await removeImages(LOGGING_IMAGE, SILENT_IMAGE);
  });
  afterEach(async () => {
    expect(await leftoverContainers()).toEqual([]);
  });

  it.each([
    ['reverse-string', []],
    ['reverse-string-go', ['--style', 'go-native']],
    ['owkit/reverse-string:go-blackbox', []],
    ['owkit/reverse-string:go-actionloop', []],
  ])('runs %s %j in its image and removes the container', async (target, extra) => {
    const report = await run(target, ...extra, '{"payload":"héllo"}', '--warm', '1');
    expect(report.mode).toBe('container');
    expect(report.command).toMatch(/^docker run --detach --network host /);
    expect(report.activations.map((a) => a.result)).toEqual([
      { reversed: 'olléh' },
      { reversed: 'olléh' },
    ]);
    expect(report.ok).toBe(true);
    expect(report.logsComplete).toBe(true);
  });

  it("shows only that activation's logs, split at the sentinels, start-up output first", async () => {
    const report = await run(LOGGING_IMAGE, '--param', 'n=1', '--warm', '2');
    const first = report.activations[0]?.activationId as string;
    expect(report.activations[0]?.result).toMatchObject({ params: { n: 1 }, activationId: first });
    expect(report.logs.map((line) => `${line.stream}: ${line.text}`).sort()).toEqual(
      [
        'stdout: starting up',
        `stdout: out of ${first}`,
        `stdout: unterminated line of ${first}`,
        `stderr: err of ${first}`,
      ].sort(),
    );
    expect(report.logs[0]?.text).toBe('starting up');
    expect(report.logsComplete).toBe(true);
  });

  it('sends a deadline the action sees, and fails an activation that outlives its time limit', async () => {
    const before = Date.now();
    const ok = await run(LOGGING_IMAGE, '--timeout', '5000');
    const result = ok.activations[0]?.result as { deadline: number } | undefined;
    const deadline = result?.deadline ?? 0;
    expect(deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(deadline).toBeLessThan(Date.now() + 5000);

    const slow = await run(LOGGING_IMAGE, '--timeout', '300', '--param', 'sleepMs=5000');
    expect(slow.ok).toBe(false);
    expect(slow.activations[0]).toMatchObject({
      status: undefined,
      result: { error: 'The action exceeded its time limit of 300 milliseconds.' },
    });
  });

  it('prints the report and exits 0 from the command line', async () => {
    const result = await runBin('invoke', ['reverse-string', '{"payload":"abc"}']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^result of reverse-string \(ts-native\), activation [0-9a-f]{32} \(status 200\):\n\{\n {2}"reversed": "cba"\n\}/,
    );
    expect(result.stdout).toContain('timings (container: docker run');
  });

  it('exits 1 with the error body when the activation fails', async () => {
    const result = await runBin('invoke', ['reverse-string', '{"payload":1}']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'invoke: the activation failed (status 200): {"error":"payload must be a string"}',
    );
  });

  it.each([
    [
      'an unknown action',
      ['no-such-action'],
      /^invoke: no action folder actions\/no-such-action and no local image no-such-action: name one of .*reverse-string/,
    ],
    [
      'an unknown image',
      ['owkit/no-such:image'],
      /^invoke: no local image owkit\/no-such:image, and no action folder builds it \(invoke never pulls\): .*reverse-string-go, .*template-go-actionloop, .*template-ts-native, template-ts-web$/,
    ],
    [
      'params that are not JSON',
      ['reverse-string', '{payload}'],
      /^invoke: params: not JSON \(.*\); pass e\.g\./,
    ],
    [
      'a style the action lacks',
      ['reverse-string', '--style', 'go-native'],
      /^invoke: actions\/reverse-string has no go-native style: pick one of ts-native$/,
    ],
  ])('refuses %s in one line, exit 2, starting nothing', async (_case, argv, message) => {
    const result = await runBin('invoke', argv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('gives up on a container that never listens, with the tail of its logs', async () => {
    const result = await runBin('invoke', [SILENT_IMAGE, '--ready-timeout', '1500']);
    expect(result.exitCode).toBe(1);
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toBe(
      `invoke: ${SILENT_IMAGE} did not listen on port ${/port (\d+)/.exec(first ?? '')?.[1]} within 1500 ms: check that it serves on $PORT, or raise --ready-timeout`,
    );
    expect(rest.join('\n')).toContain('stdout: warming up');
    expect(rest.join('\n')).toContain('stderr: still warming up');
  });

  it('refuses a port that is in use before starting anything', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runBin('invoke', ['reverse-string', '--port', String(port)]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe(
        `invoke: port ${port} is in use: pick another with --port, or leave --port out for a free one`,
      );
    } finally {
      blocker.close();
    }
  });

  it('removes the container on Ctrl-C', async () => {
    const child = spawn(process.execPath, [join(CLI_BIN, 'invoke.js'), SILENT_IMAGE], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 15_000;
    while ((await leftoverContainers()).length === 0) {
      if (Date.now() > deadline) throw new Error(`no container appeared; stderr: ${stderr}`);
      await delay(50);
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('invoke: interrupted by SIGINT');
  });
});
