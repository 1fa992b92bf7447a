import { MESSAGES } from '@owkit/protocol';
import { describe, expect, it } from 'vitest';
import type { Context, Handler } from '../src/handler.js';
import { createApp } from '../src/server.js';
import { captureLogs, initBody, runBody } from '../src/testing.js';
import { transports } from './transports.js';

function setup(handler: Handler, options: { init?: () => void | Promise<void> } = {}) {
  const logs = captureLogs();
  const env: NodeJS.ProcessEnv = {};
  const app = createApp(handler, { logs, env, ...options });
  return { app, logs, env };
}

const echo: Handler = (params) => ({ params });

describe.each(transports)('protocol over $name', ({ connect }) => {
  it('answers unknown paths with 404 and keeps serving', async () => {
    const { app } = setup(echo);
    const call = await connect(app);
    const missing = await call('/nope', {});
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: MESSAGES.notFound });
    expect((await call('/run', runBody({ a: 1 }))).status).toBe(200);
  });

  it('answers other methods on the routes with 405', async () => {
    const { app } = setup(echo);
    const call = await connect(app);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await call('/run', undefined, method);
      expect(res.status).toBe(405);
      expect(res.json).toEqual({ error: MESSAGES.methodNotAllowed });
    }
    expect((await call('/init', undefined, 'GET')).status).toBe(405);
  });

  it.each([
    ['an empty body', ''],
    ['broken JSON', '{"value":'],
    ['JSON followed by text', '{"value":{}} trailing'],
    ['a UTF-8 BOM before the JSON', '\uFEFF{"value":{}}'],
    ['nesting past 10,000 levels', `{"value":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
  ])('answers %s with 400', async (_name, body) => {
    const { app } = setup(echo);
    const call = await connect(app);
    const res = await call('/run', body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: MESSAGES.invalidJson });
    expect((await call('/init', body)).status).toBe(400);
  });

  it('initializes once and refuses a second /init with 403', async () => {
    const { app, logs } = setup(echo);
    const call = await connect(app);
    const first = await call('/init', initBody());
    expect(first.status).toBe(200);
    expect(first.body).toBe('{"ok":true}');
    const second = await call('/init', initBody());
    expect(second.status).toBe(403);
    expect(second.json).toEqual({ error: MESSAGES.reinit });
    expect(logs.stderrText()).toContain(MESSAGES.reinit);
    expect(logs.sentinels()).toEqual({ stdout: 0, stderr: 0 });
  });

  it('applies /init env with the conversion rules before the init hook runs', async () => {
    let seenByHook: string | undefined;
    const logs = captureLogs();
    const env: NodeJS.ProcessEnv = {};
    const app = createApp(() => ({ fromEnv: env.GREETING }), {
      logs,
      env,
      init: () => {
        seenByHook = env.GREETING;
      },
    });
    const call = await connect(app);
    const res = await call(
      '/init',
      initBody({ GREETING: 'hi', N: 42, B: true, NIL: null, OBJ: { a: [1, 2] }, ARR: [1] }),
    );
    expect(res.status).toBe(200);
    expect(seenByHook).toBe('hi');
    expect(env).toMatchObject({
      GREETING: 'hi',
      N: '42',
      B: 'true',
      NIL: '',
      OBJ: '{"a":[1,2]}',
      ARR: '[1]',
    });
    expect((await call('/run', runBody({}))).json).toEqual({ fromEnv: 'hi' });
  });

  it('answers 502 when the init hook throws, and serves no stack', async () => {
    const { app, logs } = setup(echo, {
      init: () => {
        throw new Error('no database');
      },
    });
    const call = await connect(app);
    const res = await call('/init', initBody());
    expect(res.status).toBe(502);
    expect(res.json).toEqual({ error: 'Initialization has failed due to: no database' });
    expect(logs.stderrText()).toContain('no database');
  });

  it('serves /run before /init (the handler is built in)', async () => {
    const { app } = setup(echo);
    const call = await connect(app);
    const res = await call('/run', runBody({ a: 1 }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ params: { a: 1 } });
  });

  it('passes objects and arrays as params and treats a missing value as {}', async () => {
    const { app } = setup(echo);
    const call = await connect(app);
    expect((await call('/run', runBody([1, 'two']))).json).toEqual({ params: [1, 'two'] });
    expect((await call('/run', { activation_id: 'x' })).json).toEqual({ params: {} });
  });

  it.each([
    ['null', null],
    ['a string', 'text'],
    ['a number', 7],
    ['a boolean', false],
  ])('answers a value that is %s with 404 and a sentinel pair', async (_name, value) => {
    const { app, logs } = setup(echo);
    const call = await connect(app);
    const res = await call('/run', { value });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ error: MESSAGES.notDictionaryArgument });
    expect(logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });

  it('answers a /run body that is not an object with 404', async () => {
    const { app } = setup(echo);
    const call = await connect(app);
    expect((await call('/run', '[1,2]')).status).toBe(404);
    expect((await call('/run', '"x"')).status).toBe(404);
  });

  it('answers {} when the handler returns nothing', async () => {
    const { app } = setup(() => undefined);
    const call = await connect(app);
    const res = await call('/run', runBody({}));
    expect(res.status).toBe(200);
    expect(res.body).toBe('{}');
  });

  it.each([
    ['a string', 'text'],
    ['a number', 3],
    ['null', null],
    ['a boolean', true],
    ['an object whose toJSON gives a scalar', { toJSON: () => 5 }],
    ['a BigInt inside an object', { n: 1n }],
  ])('answers 502 when the handler returns %s', async (_name, result) => {
    const { app, logs } = setup(() => result as never);
    const call = await connect(app);
    const res = await call('/run', runBody({}));
    expect(res.status).toBe(502);
    expect(res.json).toEqual({ error: MESSAGES.notDictionaryResult });
    expect(logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
    expect((await call('/run', runBody({}))).status).toBe(502);
  });

  it('turns a thrown error into an application error with no stack in the answer', async () => {
    const { app, logs } = setup(async () => {
      throw new Error('payload is bad');
    });
    const call = await connect(app);
    const res = await call('/run', runBody({}));
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"error":"payload is bad"}');
    expect(logs.stderrText()).toMatch(/Error: payload is bad\n\s+at /);
  });

  it('renders non-Error throws as messages', async () => {
    const { app } = setup(() => {
      throw 'plain string';
    });
    const call = await connect(app);
    expect((await call('/run', runBody({}))).json).toEqual({ error: 'plain string' });
  });

  it('keeps an application error result as 200', async () => {
    const { app } = setup(() => ({ error: 'not found', code: 404 }));
    const call = await connect(app);
    const res = await call('/run', runBody({}));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ error: 'not found', code: 404 });
  });

  it('writes U+2028 and U+2029 escaped and leaves < > & alone', async () => {
    const { app } = setup(() => ({ s: 'a\u2028b\u2029c<>&\u0001"\\' }));
    const call = await connect(app);
    const res = await call('/run', runBody({}));
    expect(res.body).toBe('{"s":"a\\u2028b\\u2029c<>&\\u0001\\"\\\\"}');
  });
});

describe('activation context', () => {
  it('hands the handler every activation field and sets __OW_* for this activation only', async () => {
    const seen: Context[] = [];
    const envSeen: Record<string, string | undefined>[] = [];
    const { app, env } = setup((_params, ctx) => {
      seen.push(ctx);
      envSeen.push({ key: env.__OW_API_KEY, id: env.__OW_ACTIVATION_ID, extra: env.__OW_EXTRA });
      return {};
    });
    const first = { ...runBody({}, { apiKey: 'k:1' }), extra: 'only-first', skipped: { a: 1 } };
    const second = runBody({});
    await app.handle({ method: 'POST', path: '/run', body: JSON.stringify(first) });
    await app.handle({ method: 'POST', path: '/run', body: JSON.stringify(second) });
    expect(seen[0]).toMatchObject({
      activationId: first.activation_id,
      actionName: first.action_name,
      actionVersion: '0.0.1',
      namespace: 'guest',
      transactionId: first.transaction_id,
      apiKey: 'k:1',
      deadline: Number(first.deadline),
    });
    expect(seen[1]?.apiKey).toBeUndefined();
    expect(envSeen[0]).toEqual({ key: 'k:1', id: first.activation_id, extra: 'only-first' });
    expect(envSeen[1]).toEqual({ key: undefined, id: second.activation_id, extra: undefined });
    expect(env.__OW_SKIPPED).toBeUndefined();
  });

  it('converts numbers and booleans in metadata to text', async () => {
    let vars: Record<string, string | undefined> = {};
    const { app, env } = setup(() => {
      vars = { n: env.__OW_COUNT, b: env.__OW_FLAG, nil: env.__OW_NOTHING };
      return {};
    });
    await app.handle({
      method: 'POST',
      path: '/run',
      body: JSON.stringify({ value: {}, count: 3, flag: false, nothing: null }),
    });
    expect(vars).toEqual({ n: '3', b: 'false', nil: undefined });
  });

  it('aborts ctx.signal when the deadline passes', async () => {
    const { app } = setup(async (_params, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      return { aborted: ctx.signal.aborted, reason: (ctx.signal.reason as Error).name };
    });
    const res = await app.handle({
      method: 'POST',
      path: '/run',
      body: JSON.stringify(runBody({}, { deadlineMs: 50 })),
    });
    expect(JSON.parse(res.body.toString())).toEqual({ aborted: true, reason: 'TimeoutError' });
  });

  it('gives an infinite deadline and a signal that never fires when none is sent', async () => {
    const { app } = setup((_p, ctx) => ({
      deadline: String(ctx.deadline),
      aborted: ctx.signal.aborted,
    }));
    const res = await app.handle({ method: 'POST', path: '/run', body: '{"value":{}}' });
    expect(JSON.parse(res.body.toString())).toEqual({ deadline: 'Infinity', aborted: false });
  });

  it('serves overlapping activations concurrently without crosstalk', async () => {
    const count = 50;
    let entered = 0;
    let releaseAll: () => void = () => {};
    const allEntered = new Promise<void>((resolve) => {
      releaseAll = resolve;
    });
    const { app, logs } = setup(async (params, ctx) => {
      // Each activation waits until all have started: served one at a time, none would finish.
      entered += 1;
      if (entered === count) releaseAll();
      await allEntered;
      return { n: (params as { n: number }).n, id: ctx.activationId };
    });
    const bodies = Array.from({ length: count }, (_, n) => runBody({ n }));
    const answers = await Promise.all(
      bodies.map((body) =>
        app.handle({ method: 'POST', path: '/run', body: JSON.stringify(body) }),
      ),
    );
    answers.forEach((answer, n) => {
      expect(JSON.parse(answer.body.toString())).toEqual({ n, id: bodies[n]?.activation_id });
    });
    expect(logs.sentinels()).toEqual({ stdout: 50, stderr: 50 });
  });
});

describe('when the answer leaves', () => {
  const run = { method: 'POST', path: '/run', body: JSON.stringify(runBody({ a: 1 })) };

  it('answers a handler that is not async in the same turn, without a promise', () => {
    const { app, logs } = setup(echo);
    const answered = app.handle(run);
    expect(answered).not.toBeInstanceOf(Promise);
    expect(answered).toMatchObject({ status: 200 });
    expect(logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });

  it('hands the answer to the transport before the sentinels are written', async () => {
    for (const handler of [echo, async (params: unknown) => ({ params })] as Handler[]) {
      const { app, logs } = setup(handler);
      const seenAtDelivery: unknown[] = [];
      await app.handle(run, (response) => {
        seenAtDelivery.push(response.status, logs.sentinels());
      });
      expect(seenAtDelivery).toEqual([200, { stdout: 0, stderr: 0 }]);
      expect(logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
    }
  });

  it('still ends the logs when the transport fails to deliver', () => {
    const { app, logs } = setup(echo);
    expect(() =>
      app.handle(run, () => {
        throw new Error('socket gone');
      }),
    ).toThrow('socket gone');
    expect(logs.sentinels()).toEqual({ stdout: 1, stderr: 1 });
  });
});
