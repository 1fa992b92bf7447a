import { join } from 'node:path';
import { MESSAGES, SENTINEL } from '@owkit/protocol';
import { captureLogs, initBody, listen, request, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { createProxyServer, PROXY_MESSAGES } from '../src/index.js';
import {
  eventually,
  groupMembers,
  nodeExecutable,
  processLives,
  startProxy,
  tempDir,
} from './helpers.js';

/**
 * An actionloop action: one request line in on stdin, one result line out on fd 3. What it does
 * is chosen by the request's `value.cmd`; it reports whether two requests ever overlapped.
 */
const loopAction = `
const fs = require('node:fs');
if (process.env.__OW_WAIT_FOR_ACK) fs.writeSync(3, '{"ok":true}\\n');
let busy = false;
let overlapped = false;
const answer = (result) => { busy = false; fs.writeSync(3, JSON.stringify(result) + '\\n'); };
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  if (busy) overlapped = true;
  busy = true;
  const request = JSON.parse(line);
  const { cmd, ms, bytes } = request.value;
  const base = { pid: process.pid, id: request.activation_id, keys: Object.keys(request).sort(), overlapped };
  if (cmd === 'sleep') return setTimeout(() => answer(base), ms);
  if (cmd === 'log') {
    process.stdout.write('to stdout\\nunfinished');
    process.stderr.write('to stderr\\n');
    return answer(base);
  }
  if (cmd === 'crash') process.exit(7);
  if (cmd === 'hang') return;
  if (cmd === 'flood') return process.stdout.write('w'.repeat(bytes), () => answer(base));
  if (cmd === 'scalar') { busy = false; return fs.writeSync(3, '"text"\\n'); }
  answer(base);
});
`;

async function loopProxy(
  options: {
    pool?: number;
    env?: NodeJS.ProcessEnv;
    outputLimit?: number;
    source?: string;
    startupTimeoutMs?: number;
  } = {},
) {
  const dir = await tempDir();
  const exec = await nodeExecutable(dir, options.source ?? loopAction);
  const proxy = await startProxy({
    exec,
    mode: 'actionloop',
    pool: options.pool ?? 1,
    env: options.env ?? process.env,
    startupTimeoutMs: options.startupTimeoutMs ?? 5000,
    ...(options.outputLimit === undefined ? {} : { outputLimit: options.outputLimit }),
  });
  return { ...proxy, dir };
}

interface Answer {
  pid: number;
  id: string;
  keys: string[];
  overlapped: boolean;
}

const run = async (url: string, value: unknown, deadlineMs?: number) =>
  request(url, '/run', runBody(value, deadlineMs === undefined ? {} : { deadlineMs }));

describe('actionloop mode', () => {
  it('starts the child once and sends it the whole request body as one line', async () => {
    const proxy = await loopProxy();
    const body = runBody({ cmd: 'echo' }, { apiKey: 'k' });
    const first = await request(proxy.url, '/run', body);
    expect(first.status).toBe(200);
    const answer = first.json as Answer;
    expect(answer.id).toBe(body.activation_id);
    expect(answer.keys).toEqual(Object.keys(body).sort());
    const second = (await run(proxy.url, {})).json as Answer;
    expect(second.pid).toBe(answer.pid);
  });

  it('waits for the acknowledgement when __OW_WAIT_FOR_ACK is set', async () => {
    const proxy = await loopProxy({ env: { ...process.env, __OW_WAIT_FOR_ACK: 'true' } });
    expect((await request(proxy.url, '/init', initBody())).status).toBe(200);
    expect((await run(proxy.url, {})).status).toBe(200);
  });

  it('answers /init with 502 when the child exits before it is ready, keeping its output', async () => {
    const proxy = await loopProxy({
      env: { ...process.env, __OW_WAIT_FOR_ACK: '1' },
      source: `console.error('cannot open the model'); process.exit(1);`,
    });
    const init = await request(proxy.url, '/init', initBody());
    expect(init.status).toBe(502);
    expect(init.json).toEqual({ error: PROXY_MESSAGES.couldNotStart });
    expect(proxy.logs.stderrText()).toContain('cannot open the model');
  });

  it('answers /init with 502 when the acknowledgement never comes', async () => {
    const proxy = await loopProxy({
      env: { ...process.env, __OW_WAIT_FOR_ACK: '1' },
      source: 'setInterval(() => {}, 1000);',
      startupTimeoutMs: 300,
    });
    const init = await request(proxy.url, '/init', initBody());
    expect(init.json).toEqual({ error: PROXY_MESSAGES.couldNotStart });
    expect(proxy.logs.stderrText()).toContain('no {"ok":true} on fd 3');
  });

  it('queues overlapping activations for one child, never interleaving them', async () => {
    const proxy = await loopProxy();
    const bodies = Array.from({ length: 6 }, () => runBody({ cmd: 'sleep', ms: 30 }));
    const answers = (await Promise.all(bodies.map((b) => request(proxy.url, '/run', b)))).map(
      (r) => r.json as Answer,
    );
    answers.forEach((answer, i) => {
      expect(answer.id).toBe(bodies[i]?.activation_id);
      expect(answer.overlapped).toBe(false);
    });
    expect(new Set(answers.map((a) => a.pid)).size).toBe(1);
  });

  it('spreads activations over a pool of children', async () => {
    const proxy = await loopProxy({ pool: 3 });
    const responses = await Promise.all(
      Array.from({ length: 9 }, () => run(proxy.url, { cmd: 'sleep', ms: 100 })),
    );
    const answers = responses.map((r) => r.json as Answer);
    expect(answers.every((a) => !a.overlapped)).toBe(true);
    expect(new Set(answers.map((a) => a.pid)).size).toBe(3);
  });

  it('forwards the activation logs before its sentinels', async () => {
    const proxy = await loopProxy();
    expect((await run(proxy.url, { cmd: 'log' })).status).toBe(200);
    expect(proxy.logs.stdoutText()).toBe(`to stdout\nunfinished\n${SENTINEL}\n`);
    expect(proxy.logs.stderrText()).toBe(`to stderr\n${SENTINEL}\n`);
  });

  it('answers 502 for a result that is not an object or array', async () => {
    const proxy = await loopProxy();
    const response = await run(proxy.url, { cmd: 'scalar' });
    expect(response.json).toEqual({ error: MESSAGES.notDictionaryResult });
  });

  it('answers 502 when the child dies mid-run, then serves the next from a fresh one', async () => {
    const proxy = await loopProxy();
    const before = (await run(proxy.url, {})).json as Answer;
    const crash = await run(proxy.url, { cmd: 'crash' });
    expect(crash.status).toBe(502);
    expect(crash.json).toEqual({ error: MESSAGES.processExited });
    expect(proxy.logs.stderrText()).toContain('exited with code 7');
    const after = await run(proxy.url, {});
    expect(after.status).toBe(200);
    expect((after.json as Answer).pid).not.toBe(before.pid);
  });

  it('kills a child past the deadline, answers 502, and restarts it', async () => {
    const proxy = await loopProxy();
    const { pid } = (await run(proxy.url, {})).json as Answer;
    const hung = await run(proxy.url, { cmd: 'hang' }, 500);
    expect(hung.json).toEqual({ error: MESSAGES.deadlineExceeded });
    expect(await eventually(async () => !(await processLives(pid)))).toBe(true);
    expect(await groupMembers(pid)).toEqual([]);
    const after = (await run(proxy.url, {})).json as Answer;
    expect(after.pid).not.toBe(pid);
  });

  it('stops a child that writes too much and restarts it', async () => {
    const limit = 1024 * 1024;
    const proxy = await loopProxy({ outputLimit: limit });
    const flood = await run(proxy.url, { cmd: 'flood', bytes: limit * 2 });
    expect(flood.status).toBe(502);
    expect((flood.json as { error: string }).error).toMatch(/output was too large/);
    expect((await run(proxy.url, { cmd: 'flood', bytes: 1000 })).status).toBe(200);
  });

  it('restarts the children with the new code and env at /init', async () => {
    const proxy = await loopProxy();
    const { pid } = (await run(proxy.url, {})).json as Answer;
    const code = `#!/usr/bin/env node
const fs = require('node:fs');
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  fs.writeSync(3, JSON.stringify({ greeting: process.env.GREETING }) + '\\n');
});`;
    const init = await request(proxy.url, '/init', {
      value: { name: 'x', main: 'main', binary: false, code, env: { GREETING: 'hi' } },
    });
    expect(init.status).toBe(200);
    expect(await eventually(async () => !(await processLives(pid)))).toBe(true);
    expect((await run(proxy.url, {})).json).toEqual({ greeting: 'hi' });
  });

  it('kills its children when it closes', async () => {
    const dir = await tempDir();
    const exec = await nodeExecutable(dir, loopAction);
    const { server, app } = createProxyServer({
      exec,
      mode: 'actionloop',
      pool: 2,
      logs: captureLogs(),
    });
    const listening = await listen(server);
    const responses = await Promise.all([
      run(listening.url, { cmd: 'sleep', ms: 50 }),
      run(listening.url, { cmd: 'sleep', ms: 50 }),
    ]);
    const pids = responses.map((r) => (r.json as Answer).pid);
    await listening.close();
    await app.close();
    for (const pid of pids) expect(await processLives(pid)).toBe(false);
  });

  it('answers /run with 502 when there is no executable', async () => {
    const dir = await tempDir();
    const proxy = await startProxy({ exec: join(dir, 'exec'), mode: 'actionloop' });
    const response = await run(proxy.url, {});
    expect(response.json).toEqual({ error: MESSAGES.binaryMissing });
  });
});
