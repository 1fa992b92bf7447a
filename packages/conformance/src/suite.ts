/**
 * The protocol conformance suite (its matrix: docs/conformance.md), written once and run against
 * every variant, started either way. Each case is named after the rule it checks; the matrix
 * reporter turns `conformance: <variant · start>` › `<section>` › `<case>` into rows and columns.
 */
import { MESSAGES } from '@owkit/protocol';
import { initBody, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, SENTINEL } from '@owkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT } from './big-bodies.js';
import { type Answer, FramingAudit, type SendOptions, send } from './client.js';
import { pollUntil } from './poll.js';
import { answerOf, postHead, rawExchange } from './raw-http.js';
import { expectedBody, trickyPayloads } from './reverse-string.js';
import {
  constantScript,
  expectedEnvEcho,
  initEnv,
  modeScript,
  type ProxyKind,
  readsSiblingScript,
} from './scripts.js';
import { type Server, type StartOptions, startBareProxy, startVariant } from './servers.js';
import { columnOf, type StartMode, type Variant, variants } from './variants.js';
import { buildZip } from './zip.js';

/** A `/run` body of exactly `size` bytes: a tiny request padded with JSON whitespace. */
function paddedRunBody(size: number, payload = 'ab'): Buffer {
  const head = Buffer.from(JSON.stringify({ value: { payload } }));
  const body = Buffer.alloc(size, 0x20);
  head.copy(body);
  return body;
}

/** Payload whose compact params JSON `{"payload":"…"}` is exactly `bytes` long (ASCII). */
function paramsOfBytes(bytes: number): { payload: string } {
  const overhead = JSON.stringify({ payload: '' }).length;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let payload = '';
  while (payload.length < bytes - overhead) payload += letters;
  return { payload: payload.slice(0, bytes - overhead) };
}

function errorOf(message: string): string {
  return JSON.stringify({ error: message });
}

async function sentinels(server: Server): Promise<{ stdout: number; stderr: number }> {
  const logs = await server.logs();
  return { stdout: countSentinels(logs.stdout), stderr: countSentinels(logs.stderr) };
}

/**
 * What the streams hold once the earlier activations' sentinels have all landed. A native server
 * writes them just after its answer (the invoker reads logs once it has the answer), so a count
 * taken right after a `/run` can miss the last pair: wait until both streams agree and hold
 * still for a moment.
 */
async function settledSentinels(server: Server): Promise<{ stdout: number; stderr: number }> {
  let previous: { stdout: number; stderr: number } | undefined;
  return pollUntil(
    () => sentinels(server),
    (seen) => {
      const settled =
        previous !== undefined &&
        seen.stdout === seen.stderr &&
        seen.stdout === previous.stdout &&
        seen.stderr === previous.stderr;
      previous = seen;
      return settled;
    },
    5_000,
    100,
  );
}

/** Waits until both streams hold at least `count` sentinels, then returns what they hold. */
function sentinelsReaching(
  server: Server,
  count: number,
): Promise<{ stdout: number; stderr: number }> {
  return pollUntil(
    () => sentinels(server),
    (seen) => seen.stdout >= count && seen.stderr >= count,
  );
}

/** Runs `fn` on a server of its own, stopped afterwards whatever happens. */
async function withServer<T>(start: () => Promise<Server>, fn: (server: Server) => Promise<T>) {
  const server = await start();
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** Results of every variant for every payload, for the cross-variant byte comparison. */
type Recorded = Map<string, Map<string, string>>;

export function defineConformance(start: StartMode): void {
  const describeFor = start === 'image' ? describeWithDocker : describe;
  const recorded: Recorded = new Map();
  for (const variant of variants) {
    describeFor(`conformance: ${columnOf(variant, start)}`, () => {
      defineActionCases(variant, start, recorded);
      if (variant.kind !== 'native') defineProxyCodeCases(variant.kind, start);
    });
  }
  describeFor(`conformance: across variants · ${start}`, () => {
    it('every variant answered the same bytes for every payload', () => {
      const differing: string[] = [];
      for (const [payloadName, byVariant] of recorded) {
        if (new Set(byVariant.values()).size > 1) differing.push(payloadName);
        expect(byVariant.size, payloadName).toBe(variants.length);
      }
      expect(differing).toEqual([]);
    });
  });
}

/** Cases every variant answers the same way: the action served through its own start command. */
function defineActionCases(variant: Variant, start: StartMode, recorded: Recorded): void {
  const audit = new FramingAudit();
  const call = async (server: Server, path: string, options: SendOptions = {}) =>
    audit.record(`${options.method ?? 'POST'} ${path}`, await send(server.url, path, options));
  const run = (server: Server, value: unknown) => call(server, '/run', { body: runBody(value) });
  const fresh = <T>(fn: (server: Server) => Promise<T>, options?: StartOptions) =>
    withServer(() => startVariant(variant, start, options), fn);
  const expectReversed = (answer: Answer, payload: string) => {
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(expectedBody(payload));
  };

  let shared: Server;
  beforeAll(async () => {
    shared = await startVariant(variant, start);
    const answer = await call(shared, '/init', { body: initBody() });
    expect(answer.body).toBe('{"ok":true}');
  });
  afterAll(async () => {
    await shared?.stop();
  });

  describe('transport', () => {
    it('unknown path → 404 {"error":"Not found."}, then keeps serving', async () => {
      for (const path of ['/', '/nope', '/run/extra', '/init2']) {
        for (const method of ['POST', 'GET']) {
          const answer = await call(shared, path, {
            method,
            body: method === 'POST' ? {} : undefined,
          });
          expect([path, answer.status, answer.body]).toEqual([
            path,
            404,
            errorOf(MESSAGES.notFound),
          ]);
        }
      }
      expectReversed(await run(shared, { payload: 'still here' }), 'still here');
    });

    it('other methods on /init and /run → 405 {"error":"Method not allowed."}', async () => {
      for (const path of ['/init', '/run']) {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const answer = await call(shared, path, { method });
          expect([method, path, answer.status, answer.body]).toEqual([
            method,
            path,
            405,
            errorOf(MESSAGES.methodNotAllowed),
          ]);
        }
      }
      expectReversed(await run(shared, { payload: 'still here' }), 'still here');
    });

    it('invalid JSON on /run → 400 {"error":"Request body is not valid JSON."}', async () => {
      const bodies = [
        '',
        ' ',
        'x',
        '{',
        '{"value":{}} trailing',
        '{"value":{}}{}',
        '[1,]',
        "{'value':{}}",
        'nul',
      ];
      for (const body of bodies) {
        const answer = await call(shared, '/run', { body });
        expect([body, answer.status, answer.body]).toEqual([
          body,
          400,
          errorOf(MESSAGES.invalidJson),
        ]);
      }
    });

    it('invalid JSON on a first /init → 400', async () => {
      await fresh(async (server) => {
        const answer = await call(server, '/init', { body: '{"value":' });
        expect([answer.status, answer.body]).toEqual([400, errorOf(MESSAGES.invalidJson)]);
      });
    });

    it('a body of exactly 64 MiB (Content-Length) is accepted', async () => {
      expectReversed(await call(shared, '/run', { body: paddedRunBody(BODY_LIMIT) }), 'ab');
    });

    it('a body of 64 MiB + 1 (Content-Length) → 413 {"error":"Request body too large."}', async () => {
      // A raw connection: the server may answer at once and close after a bounded drain, and
      // node:http drops an answer that arrives while its write of the body fails.
      const body = paddedRunBody(BODY_LIMIT + 1);
      const head = postHead('/run', [
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
      ]);
      const exchange = await rawExchange(shared.port, [head, body], {
        waitMs: 30_000,
        stopAfterResponses: 1,
      });
      const [raw] = exchange.responses;
      if (raw === undefined)
        throw new Error(`no answer: ${exchange.received.toString('latin1').slice(0, 200)}`);
      const answer = audit.record('POST /run', answerOf(raw));
      expect([answer.status, answer.body]).toEqual([413, errorOf(MESSAGES.bodyTooLarge)]);
      expectReversed(await run(shared, { payload: 'after 413' }), 'after 413');
    });

    it('chunked bodies are accepted, up to exactly 64 MiB', async () => {
      const small = Buffer.from(JSON.stringify(runBody({ payload: 'chunked' })));
      expectReversed(await call(shared, '/run', { body: small, chunkBytes: 7 }), 'chunked');
      const limit = paddedRunBody(BODY_LIMIT);
      expectReversed(await call(shared, '/run', { body: limit, chunkBytes: 1 << 20 }), 'ab');
    });

    it('a chunked body of 64 MiB + 1 → 413', async () => {
      const body = paddedRunBody(BODY_LIMIT + 1);
      const answer = await call(shared, '/run', { body, chunkBytes: 1 << 20 });
      expect([answer.status, answer.body]).toEqual([413, errorOf(MESSAGES.bodyTooLarge)]);
      expectReversed(await run(shared, { payload: 'after 413' }), 'after 413');
    });
  });

  describe('init', () => {
    let server: Server;
    beforeAll(async () => {
      server = await startVariant(variant, start);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('first /init (env of every JSON type) → 200 {"ok":true}', async () => {
      const answer = await call(server, '/init', { body: initBody({ ...initEnv }) });
      expect([answer.status, answer.body]).toEqual([200, '{"ok":true}']);
      expectReversed(await run(server, { payload: 'after init' }), 'after init');
    });

    it('second /init → 403, the message on stderr, and no sentinel', async () => {
      const before = await sentinelsReaching(server, 1);
      const answer = await call(server, '/init', { body: initBody() });
      expect([answer.status, answer.body]).toEqual([403, errorOf(MESSAGES.reinit)]);
      const logs = await pollUntil(server.logs, (l) => l.stderr.includes(MESSAGES.reinit));
      expect(logs.stderr).toContain(MESSAGES.reinit);
      // One more /run: its pair arrives after anything the refused /init could have written.
      await run(server, { payload: 'x' });
      const after = await sentinelsReaching(server, before.stdout + 1);
      expect(after).toEqual({ stdout: before.stdout + 1, stderr: before.stderr + 1 });
    });

    if (variant.kind === 'native') {
      it('code and main in /init are ignored', async () => {
        await fresh(async (s) => {
          const body = {
            value: { name: 'x', main: 'elsewhere', code: 'not a program', binary: false },
          };
          expect((await call(s, '/init', { body })).body).toBe('{"ok":true}');
          expectReversed(await run(s, { payload: 'built in' }), 'built in');
        });
      });
    }

    it('/run before /init is served (the image holds the action)', async () => {
      await fresh(async (s) => {
        expectReversed(await run(s, { payload: 'no init' }), 'no init');
      });
    });
  });

  describe('run', () => {
    it('value missing → the action gets {}', async () => {
      const body = { ...runBody(undefined) };
      delete (body as { value?: unknown }).value;
      const answer = await call(shared, '/run', { body });
      expect([answer.status, answer.body]).toEqual([200, expectedBody(undefined)]);
    });

    it('value null, string, number or boolean → 404 + a sentinel pair each', async () => {
      const values = [null, 'a string', 42, true];
      const before = await settledSentinels(shared);
      for (const value of values) {
        const answer = await run(shared, value);
        expect([value, answer.status, answer.body]).toEqual([
          value,
          404,
          errorOf(MESSAGES.notDictionaryArgument),
        ]);
      }
      const after = await sentinelsReaching(shared, before.stdout + values.length);
      expect(after.stdout - before.stdout).toBe(values.length);
    });

    it('an array value is passed on', async () => {
      const answer = await run(shared, ['payload']);
      expect([answer.status, answer.body]).toEqual([200, expectedBody(undefined)]);
    });

    it('payload not a string → 200 {"error":"payload must be a string"}', async () => {
      for (const payload of [7, null, true, {}, ['x'], 1e300]) {
        const answer = await run(shared, { payload });
        expect([payload, answer.status, answer.body]).toEqual([
          payload,
          200,
          expectedBody(payload),
        ]);
      }
    });
  });

  describe('results', () => {
    for (const [name, payload] of trickyPayloads) {
      it(`byte-exact: ${name}`, async () => {
        const answer = await run(shared, { payload });
        const byVariant = recorded.get(name) ?? new Map<string, string>();
        recorded.set(name, byVariant);
        byVariant.set(variant.id, answer.body);
        expect(answer.status).toBe(200);
        expect(answer.bytes.toString('hex')).toBe(
          Buffer.from(expectedBody(payload)).toString('hex'),
        );
      });
    }
  });

  describe('sentinels', () => {
    it('one pair per /run on stdout and stderr, whatever the outcome; none for /init', async () => {
      await fresh(async (server) => {
        await call(server, '/init', { body: initBody() });
        await call(server, '/init', { body: initBody() });
        const outcomes = [
          await run(server, { payload: 'ok' }),
          await run(server, { payload: 1 }),
          await run(server, 'not a dictionary'),
          await call(server, '/run', { body: 'not json' }),
        ].map((a) => a.status);
        expect(outcomes).toEqual([200, 200, 404, 400]);
        const seen = await sentinelsReaching(server, outcomes.length);
        expect(seen).toEqual({ stdout: outcomes.length, stderr: outcomes.length });
      });
    });
  });

  describe('concurrency', () => {
    it('50 overlapping /run requests each get their own answer', async () => {
      const payloads = Array.from({ length: 50 }, (_, i) => `request ${i} ${'é'.repeat(i)}`);
      const answers = await Promise.all(payloads.map((payload) => run(shared, { payload })));
      expect(answers.map((a) => a.body)).toEqual(payloads.map((p) => expectedBody(p)));
    });
  });

  describe('limits', () => {
    it('params over 1 MB → the whole payload reversed', async () => {
      const payload = `${'a'.repeat(700_000)}${'ü😀'.repeat(70_000)}z`;
      const answer = await run(shared, { payload });
      expect(answer.status).toBe(200);
      expect(answer.body === expectedBody(payload)).toBe(true);
    });

    it('params of 131071 and 131072 bytes (the per-argument limit) → both reversed', async () => {
      for (const bytes of [131_071, 131_072]) {
        const params = paramsOfBytes(bytes);
        expect(JSON.stringify(params).length).toBe(bytes);
        const answer = await run(shared, params);
        expect(answer.status).toBe(200);
        expect(answer.body === expectedBody(params.payload)).toBe(true);
      }
    });
  });

  describe('shutdown', () => {
    it('SIGTERM → exit 0 within 5 s', async () => {
      const server = await startVariant(variant, start);
      expect((await call(server, '/init', { body: initBody() })).status).toBe(200);
      expectReversed(await run(server, { payload: 'bye' }), 'bye');
      const { exitCode, stopMs } = await server.stop();
      expect(exitCode).toBe(0);
      expect(stopMs).toBeLessThan(5_000);
    });
  });

  describe('transport', () => {
    it('every answer: exact Content-Length, JSON content type, never chunked, {"error": string} errors', () => {
      expect(audit.answers).toBeGreaterThan(50);
      expect(audit.problems).toEqual([]);
    });
  });
}

const HANG_COMMAND = 'sleep 30';

/**
 * Cases only a proxy has: code sent at `/init`, results produced by a child, context through the
 * environment or the request line, deadlines. They run on the proxy the variant is built from,
 * with shell-script actions.
 */
function defineProxyCodeCases(kind: ProxyKind, start: StartMode): void {
  const audit = new FramingAudit();
  const call = async (server: Server, path: string, options: SendOptions = {}) =>
    audit.record(`${options.method ?? 'POST'} ${path}`, await send(server.url, path, options));
  const run = (server: Server, value: unknown, options: Parameters<typeof runBody>[1] = {}) =>
    call(server, '/run', { body: runBody(value, options) });
  const codeInit = (code: string, env: Record<string, unknown> = {}, binary = false) => ({
    value: { name: 'script', main: 'main', binary, code, env },
  });
  const apiHost = 'https://openwhisk.test';
  const bare = (options: StartOptions = {}) =>
    startBareProxy(kind, start, { env: { __OW_API_HOST: apiHost }, ...options });
  const fresh = <T>(fn: (server: Server) => Promise<T>) => withServer(() => bare(), fn);
  const binaryFailed = errorOf(MESSAGES.binaryFailed);

  let scripted: Server;
  beforeAll(async () => {
    scripted = await bare();
    const answer = await call(scripted, '/init', {
      body: codeInit(modeScript(kind, HANG_COMMAND), { ...initEnv }),
    });
    expect(answer.body).toBe('{"ok":true}');
  });
  afterAll(async () => {
    await scripted?.stop();
  });

  describe('proxy: init', () => {
    it('text code (binary: false) becomes the executable', async () => {
      const answer = await run(scripted, { any: 'thing' });
      expect(answer.status).toBe(200);
      const echoed = answer.json as Record<string, unknown>;
      expect(kind === 'blackbox' ? echoed : (echoed.line as Record<string, unknown>).value).toEqual(
        {
          any: 'thing',
        },
      );
    });

    it('init env reaches the action: strings, numbers, booleans as text, null as "", objects as JSON', async () => {
      const answer = await run(scripted, { mode: 'env' });
      expect([answer.status, answer.json]).toEqual([200, expectedEnvEcho]);
    });

    it('zip code (binary: true, base64) is unpacked and runs in its folder', async () => {
      await fresh(async (server) => {
        const zip = buildZip([
          { name: 'exec', data: readsSiblingScript(kind, 'data.txt'), mode: 0o755 },
          { name: 'data.txt', data: 'from the zip\n' },
        ]);
        const init = await call(server, '/init', {
          body: codeInit(zip.toString('base64'), {}, true),
        });
        expect(init.body).toBe('{"ok":true}');
        const answer = await run(server, {});
        expect([answer.status, answer.body]).toEqual([200, '{"data":"from the zip"}']);
      });
    });

    it('zip-slip entry → 502 exact body, the cause on stdout, one sentinel pair', async () => {
      await fresh(async (server) => {
        const zip = buildZip([
          { name: 'exec', data: constantScript(kind, '{"ok":true}'), mode: 0o755 },
          { name: '../escaped-by-zip-slip', data: 'should never be written' },
        ]);
        const answer = await call(server, '/init', {
          body: codeInit(zip.toString('base64'), {}, true),
        });
        expect([answer.status, answer.body]).toEqual([502, binaryFailed]);
        const seen = await sentinelsReaching(server, 1);
        expect(seen).toEqual({ stdout: 1, stderr: 1 });
        const { stdout } = await server.logs();
        const beforeSentinel = stdout.slice(0, stdout.indexOf('XXX_THE_END'));
        expect(beforeSentinel.trim().length).toBeGreaterThan(0);
      });
    });

    const badCode: ReadonlyArray<readonly [string, () => string]> = [
      ['invalid base64', () => 'this is not base64!'],
      ['base64 that is not a zip', () => Buffer.from('plain text, not a zip').toString('base64')],
      ['a zip without exec', () => buildZip([{ name: 'not-exec', data: 'x' }]).toString('base64')],
    ];
    for (const [name, code] of badCode) {
      it(`${name} → 502 exact body`, async () => {
        await fresh(async (server) => {
          const answer = await call(server, '/init', { body: codeInit(code(), {}, true) });
          expect([answer.status, answer.body]).toEqual([502, binaryFailed]);
        });
      });
    }

    it('second /init with code → 403, and the first code stays', async () => {
      await fresh(async (server) => {
        expect(
          (await call(server, '/init', { body: codeInit(constantScript(kind, '{"first":1}')) }))
            .status,
        ).toBe(200);
        const second = await call(server, '/init', {
          body: codeInit(constantScript(kind, '{"second":2}')),
        });
        expect([second.status, second.body]).toEqual([403, errorOf(MESSAGES.reinit)]);
        expect((await run(server, {})).body).toBe('{"first":1}');
      });
    });

    if (start === 'process') {
      it('/run with nothing to run → 502 {"error":"The action failed to locate a binary. …"}', async () => {
        await fresh(async (server) => {
          const answer = await run(server, {});
          expect([answer.status, answer.body]).toEqual([502, errorOf(MESSAGES.binaryMissing)]);
        });
      });
    }
  });

  describe('proxy: results', () => {
    it('scalar, null, string, non-JSON or empty result → 502 {"error":"The action did not return a dictionary or array."}', async () => {
      for (const mode of ['scalar', 'null', 'string', 'text', 'nothing']) {
        const answer = await run(scripted, { mode });
        expect([mode, answer.status, answer.body]).toEqual([
          mode,
          502,
          errorOf(MESSAGES.notDictionaryResult),
        ]);
      }
    });

    it('a result with an error key is an application error → 200', async () => {
      const answer = await run(scripted, { mode: 'app-error' });
      expect([answer.status, answer.body]).toEqual([200, '{"error":"boom"}']);
    });

    it('the result comes apart from the logs; logs reach stdout and stderr', async () => {
      const answer = await run(scripted, { mode: 'logs' });
      expect([answer.status, answer.body]).toEqual([200, '{"last":true}']);
      const logs = await pollUntil(scripted.logs, (l) => l.stdout.includes('second log line'));
      expect(logs.stdout).toMatch(/first log line\nsecond log line\n/);
      expect(logs.stderr).toMatch(/to stderr\n/);
      expect(logs.stdout).not.toContain('{"last":true}');
    });
  });

  describe('proxy: context', () => {
    it('__OW_* context reaches the action; __OW_API_HOST from the container', async () => {
      const body = runBody({ mode: 'context' }, { apiKey: 'key:secret', actionName: 'ctx' });
      const answer = await call(scripted, '/run', { body });
      expect(answer.status).toBe(200);
      const { value: _value, ...context } = body;
      if (kind === 'blackbox') {
        expect(answer.json).toEqual({ ...context, api_host: apiHost });
      } else {
        expect(answer.json).toEqual({
          line: { ...context, value: { mode: 'context' } },
          api_host: apiHost,
        });
      }
    });

    it('context does not leak from one activation to the next', async () => {
      await run(scripted, { mode: 'context' }, { apiKey: 'first-key' });
      const second = runBody({ mode: 'context' });
      const answer = await call(scripted, '/run', { body: second });
      const seen = (
        kind === 'blackbox' ? answer.json : (answer.json as { line: unknown }).line
      ) as Record<string, unknown>;
      expect(seen.activation_id).toBe(second.activation_id);
      expect(seen.api_key ?? '').toBe('');
    });
  });

  describe('proxy: deadline', () => {
    it('a hanging action with a deadline 300 ms ahead → 502 {"error":"The action exceeded its deadline."}, then serves again', async () => {
      const startedAt = Date.now();
      const answer = await run(scripted, { mode: 'hang' }, { deadlineMs: 300 });
      expect([answer.status, answer.body]).toEqual([502, errorOf(MESSAGES.deadlineExceeded)]);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      const after = await run(scripted, { mode: 'app-error' });
      expect(after.body).toBe('{"error":"boom"}');
    });
  });

  describe('proxy: sentinels', () => {
    it('one pair per /run, each on a line of its own after unterminated output; none for /init', async () => {
      await fresh(async (server) => {
        await call(server, '/init', { body: codeInit(modeScript(kind, HANG_COMMAND)) });
        const statuses = [
          (await run(server, { mode: 'unterminated' })).status,
          (await run(server, { mode: 'scalar' })).status,
          (await run(server, 'not a dictionary')).status,
        ];
        expect(statuses).toEqual([200, 502, 404]);
        const seen = await sentinelsReaching(server, statuses.length);
        expect(seen).toEqual({ stdout: statuses.length, stderr: statuses.length });
        const { stdout, stderr } = await server.logs();
        expect(stderr).toContain(`unterminated stderr\n${SENTINEL}\n`);
        if (kind === 'actionloop') {
          expect(stdout).toContain(`unterminated stdout\n${SENTINEL}\n`);
        }
      });
    });
  });

  describe('proxy: concurrency', () => {
    it('50 overlapping /run requests each get their own answer', async () => {
      const values = Array.from({ length: 50 }, (_, i) => ({ n: i }));
      const answers = await Promise.all(values.map((value) => run(scripted, value)));
      const echoed = answers.map((a) =>
        kind === 'blackbox' ? a.json : (a.json as { line: { value: unknown } }).line.value,
      );
      expect(echoed).toEqual(values);
    });
  });

  describe('proxy: limits', () => {
    it('params over 131071 bytes still reach the action (stdin only)', async () => {
      for (const bytes of [131_071, 131_072, 200_000]) {
        const params = { mode: 'sizes', ...paramsOfBytes(bytes - '"mode":"sizes",'.length) };
        const json = JSON.stringify(params);
        expect(json.length).toBe(bytes);
        const answer = await run(scripted, params);
        expect(answer.status).toBe(200);
        if (kind === 'blackbox') {
          const viaArgv = bytes <= 131_071;
          expect([bytes, answer.json]).toEqual([
            bytes,
            {
              argc: viaArgv ? 1 : 0,
              argvChars: viaArgv ? bytes : 0,
              stdinChars: bytes,
              same: viaArgv,
            },
          ]);
        } else {
          const line = JSON.stringify({ ...runBody(params), value: params });
          expect((answer.json as { lineChars: number }).lineChars).toBeGreaterThan(bytes);
          expect((answer.json as { lineChars: number }).lineChars).toBeLessThan(line.length + 200);
        }
      }
    });
  });

  describe('proxy: transport', () => {
    it('every answer of the proxy cases framed correctly', () => {
      expect(audit.answers).toBeGreaterThan(20);
      expect(audit.problems).toEqual([]);
    });
  });
}
