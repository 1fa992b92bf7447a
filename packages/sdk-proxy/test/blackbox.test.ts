import { join } from 'node:path';
import { MESSAGES, SENTINEL } from '@owkit/protocol';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { MAX_ARGUMENT_BYTES } from '../src/index.js';
import {
  eventually,
  groupMembers,
  nodeExecutable,
  processLives,
  startProxy,
  tempDir,
} from './helpers.js';

/** A proxy serving one Node fixture per activation. */
async function proxyFor(source: string, options: { outputLimit?: number; timeout?: number } = {}) {
  const dir = await tempDir();
  const exec = await nodeExecutable(dir, source);
  return { ...(await startProxy({ exec, ...options })), dir };
}

const writeStdout = (text: string) => `process.stdout.write(${JSON.stringify(text)});`;

describe('results from the last line of stdout', () => {
  it.each([
    ['a final newline', '{"a":1}\n', { a: 1 }],
    ['no final newline', '{"a":1}', { a: 1 }],
    ['an array', '[1,2]\n', [1, 2]],
    ['earlier lines that are JSON too', '{"first":1}\n{"last":2}\n', { last: 2 }],
  ])('answers 200 with %s', async (_name, output, expected) => {
    const proxy = await proxyFor(writeStdout(output));
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(200);
    expect(response.json).toEqual(expected);
  });

  it.each([
    ['no output', ''],
    ['text that is not JSON', 'hello\n'],
    ['a scalar', '42\n'],
    ['null', 'null\n'],
    ['an empty last line', '{"a":1}\n\n'],
  ])('answers 502 for %s', async (_name, output) => {
    const proxy = await proxyFor(writeStdout(output));
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(502);
    expect(response.json).toEqual({ error: MESSAGES.notDictionaryResult });
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });

  it('passes earlier lines and stderr on as logs, before the sentinels', async () => {
    const proxy = await proxyFor(
      `console.log('one'); console.log('two'); console.error('oops'); console.log('{"ok":true}');`,
    );
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.json).toEqual({ ok: true });
    expect(proxy.logs.stdoutText()).toBe(`one\ntwo\n${SENTINEL}\n`);
    expect(proxy.logs.stderrText()).toBe(`oops\n${SENTINEL}\n`);
  });

  it('keeps the sentinel on a line of its own after output without a final newline', async () => {
    const proxy = await proxyFor(
      `process.stderr.write('no newline'); process.stdout.write('log\\n{"ok":true}');`,
    );
    await request(proxy.url, '/run', runBody({}));
    expect(proxy.logs.stdoutText()).toBe(`log\n${SENTINEL}\n`);
    expect(proxy.logs.stderrText()).toBe(`no newline\n${SENTINEL}\n`);
  });

  it('lets a valid last line win over a non-zero exit, and logs the exit', async () => {
    const proxy = await proxyFor(`console.log('{"partial":true}'); process.exit(3);`);
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ partial: true });
    expect(proxy.logs.stderrText()).toContain('exited with code 3');
  });

  it('answers 502 when the action crashes without a result', async () => {
    const proxy = await proxyFor(`process.kill(process.pid, 'SIGSEGV');`);
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(502);
    expect(response.json).toEqual({ error: MESSAGES.notDictionaryResult });
    expect(proxy.logs.stderrText()).toContain('SIGSEGV');
  });
});

describe('input', () => {
  const echoInput = `
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
      const stdin = Buffer.concat(chunks).toString();
      console.log(JSON.stringify({
        argc: process.argv.length - 2,
        argvMatches: process.argv[2] === stdin,
        stdinBytes: Buffer.byteLength(stdin),
        stdinValue: JSON.parse(stdin),
        cwd: process.cwd(),
        announced: process.env.OWKIT_PARAMS_BYTES ?? null,
      }));
    });`;

  it('passes the params as argv[1] and on stdin, and runs in the executable folder', async () => {
    const proxy = await proxyFor(echoInput);
    const response = await request(proxy.url, '/run', runBody({ name: 'Ada' }));
    expect(response.json).toEqual({
      argc: 1,
      argvMatches: true,
      stdinBytes: 14,
      stdinValue: { name: 'Ada' },
      cwd: proxy.dir,
      announced: null,
    });
  });

  it('passes params over 131071 bytes on stdin only, announcing their size in OWKIT_PARAMS_BYTES', async () => {
    const proxy = await proxyFor(echoInput);
    const atLimit = { s: 'x'.repeat(MAX_ARGUMENT_BYTES - 8) };
    const overLimit = { s: 'x'.repeat(MAX_ARGUMENT_BYTES - 7) };
    expect(JSON.stringify(atLimit).length).toBe(MAX_ARGUMENT_BYTES);
    const fits = await request(proxy.url, '/run', runBody(atLimit));
    // Through owkit-spawn, and twice a pipe's buffer: stdin is finished once the child reads.
    expect(fits.json).toMatchObject({
      argc: 1,
      argvMatches: true,
      stdinBytes: MAX_ARGUMENT_BYTES,
      announced: null,
    });
    const large = await request(proxy.url, '/run', runBody(overLimit));
    expect(large.json).toMatchObject({
      argc: 0,
      stdinBytes: MAX_ARGUMENT_BYTES + 1,
      announced: String(MAX_ARGUMENT_BYTES + 1),
    });
  });

  it('is fine with an action that never reads stdin', async () => {
    const proxy = await proxyFor(`console.log('{"ignored":"stdin"}')`);
    const response = await request(proxy.url, '/run', runBody({ big: 'y'.repeat(300_000) }));
    expect(response.status).toBe(200);
  });
});

describe('environment', () => {
  const printEnv = `console.log(JSON.stringify({
    key: process.env.__OW_API_KEY ?? null,
    id: process.env.__OW_ACTIVATION_ID,
    fromInit: process.env.FROM_INIT ?? null,
  }));`;

  it('gives each activation its own __OW_* and nothing from the one before', async () => {
    const proxy = await proxyFor(printEnv);
    await request(proxy.url, '/init', initBody({ FROM_INIT: 42 }));
    const first = runBody({}, { apiKey: 'secret' });
    const withKey = await request(proxy.url, '/run', first);
    expect(withKey.json).toEqual({ key: 'secret', id: first.activation_id, fromInit: '42' });
    const second = runBody({});
    const withoutKey = await request(proxy.url, '/run', second);
    expect(withoutKey.json).toEqual({ key: null, id: second.activation_id, fromInit: '42' });
  });

  it('serves 50 overlapping activations, each with its own child and answer', async () => {
    const proxy = await proxyFor(
      `setTimeout(() => console.log(JSON.stringify({ n: JSON.parse(process.argv[2]).n, id: process.env.__OW_ACTIVATION_ID, pid: process.pid })), 20);`,
    );
    const bodies = Array.from({ length: 50 }, (_, n) => runBody({ n }));
    const responses = await Promise.all(bodies.map((body) => request(proxy.url, '/run', body)));
    const answers = responses.map((r) => r.json as { n: number; id: string; pid: number });
    answers.forEach((answer, n) => {
      expect(answer.n).toBe(n);
      expect(answer.id).toBe(bodies[n]?.activation_id);
    });
    expect(new Set(answers.map((a) => a.pid)).size).toBe(50);
    expect(proxy.logs.sentinels()).toEqual({ stdout: 50, stderr: 50 });
  });
});

describe('stopping children', () => {
  // The child forks a grandchild into its group, reports both pids on stderr, then hangs.
  const hangWithGrandchild = `
    const { spawn } = require('node:child_process');
    const grandchild = spawn('sleep', ['30'], { stdio: 'ignore' });
    console.error(JSON.stringify({ child: process.pid, grandchild: grandchild.pid }));
    setInterval(() => {}, 1000);`;

  function pidsFrom(stderr: string): { child: number; grandchild: number } {
    const line = stderr.split('\n').find((l) => l.startsWith('{"child"'));
    return JSON.parse(line as string);
  }

  it('kills the whole process group at the deadline and answers 502', async () => {
    const proxy = await proxyFor(hangWithGrandchild);
    const response = await request(proxy.url, '/run', runBody({}, { deadlineMs: 1000 }));
    expect(response.status).toBe(502);
    expect(response.json).toEqual({ error: MESSAGES.deadlineExceeded });
    const { child, grandchild } = pidsFrom(proxy.logs.stderrText());
    expect(await eventually(async () => !(await processLives(grandchild)))).toBe(true);
    expect(await processLives(child)).toBe(false);
    expect(await groupMembers(child)).toEqual([]);
  });

  it('applies the configured timeout when it comes before the deadline', async () => {
    const proxy = await proxyFor(hangWithGrandchild, { timeout: 500 });
    const response = await request(proxy.url, '/run', runBody({}, { deadlineMs: 60_000 }));
    expect(response.json).toEqual({ error: MESSAGES.deadlineExceeded });
  });

  it('does not wait for a grandchild that keeps stdout open, and kills it', async () => {
    const proxy = await proxyFor(`
      const { spawn } = require('node:child_process');
      const grandchild = spawn('sleep', ['30'], { stdio: 'inherit' });
      console.log(JSON.stringify({ grandchild: grandchild.pid }));
      process.exit(0);`);
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(200);
    const { grandchild } = response.json as { grandchild: number };
    expect(await eventually(async () => !(await processLives(grandchild)))).toBe(true);
  });
});

describe('output limit', () => {
  const limit = 2 * 1024 * 1024;
  const printMegabytes = (stream: 'stdout' | 'stderr', bytes: number) => `
    const line = 'z'.repeat(1023) + '\\n';
    let left = ${bytes};
    function more() {
      while (left > 0) {
        left -= 1024;
        if (!process.${stream}.write(line)) return process.${stream}.once('drain', more);
      }
      console.log('{"done":true}');
    }
    more();`;

  it('passes output under the limit on', async () => {
    const proxy = await proxyFor(printMegabytes('stdout', limit - 4096), { outputLimit: limit });
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.json).toEqual({ done: true });
    expect(proxy.logs.stdoutText().length).toBe(limit - 4096 + SENTINEL.length + 1);
  });

  it.each(['stdout', 'stderr'] as const)(
    'stops an action that writes too much to %s, and keeps serving',
    async (stream) => {
      const proxy = await proxyFor(printMegabytes(stream, limit * 3), { outputLimit: limit });
      const response = await request(proxy.url, '/run', runBody({}));
      expect(response.status).toBe(502);
      expect((response.json as { error: string }).error).toMatch(/output was too large/);
      expect(proxy.logs.stdoutText().length + proxy.logs.stderrText().length).toBeLessThan(
        limit + 4096,
      );
      const next = await request(proxy.url, '/run', runBody({}));
      expect(next.status).toBe(502);
    },
  );
});

describe('without an executable', () => {
  it('answers /run with 502 and says why in the logs', async () => {
    const dir = await tempDir();
    const proxy = await startProxy({ exec: join(dir, 'missing', 'exec') });
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.status).toBe(502);
    expect(response.json).toEqual({ error: MESSAGES.binaryMissing });
    expect(proxy.logs.stdoutText()).toContain('could not be started');
    expect(proxy.logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });
});
