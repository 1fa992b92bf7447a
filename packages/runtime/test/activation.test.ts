import {
  type ActionEngine,
  type Activation,
  createProtocolApp,
  type InitRequest,
  MAX_JSON_DEPTH,
  MESSAGES,
  RawJson,
} from '@owkit/protocol';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/server.js';
import { captureLogs, invoke } from '../src/testing.js';

/** An engine that keeps what the app handed it and answers with the value's bytes. */
function recordingEngine() {
  const seen: { activations: Activation[]; inits: InitRequest[] } = { activations: [], inits: [] };
  const engine: ActionEngine = {
    async init(request) {
      seen.inits.push(request);
    },
    async run(activation) {
      seen.activations.push(activation);
      return RawJson.of(activation.value);
    },
  };
  return { engine, seen, app: createProtocolApp(engine, { logs: captureLogs() }) };
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('activation bytes', () => {
  it('hands the engine value exactly as sent, numbers untouched, and answers RawJson as is', async () => {
    const { app, seen } = recordingEngine();
    const body = '{"value":{"id":1234567890123456789,"x":1e400,"z":-0},"activation_id":"a1"}';
    const res = await invoke(app, '/run', body);
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"id":1234567890123456789,"x":1e400,"z":-0}');
    expect(seen.activations[0]?.value.toString()).toBe(
      '{"id":1234567890123456789,"x":1e400,"z":-0}',
    );
    expect(seen.activations[0]?.body.toString()).toBe(body);
  });

  it('compacts value and body to one line, leaving strings alone', async () => {
    const { app, seen } = recordingEngine();
    await invoke(app, '/run', ' {\n "value" : { "a b" : [ 1 , "x\\ny" ] },\n "deadline": "9" }\n');
    const activation = seen.activations[0] as Activation;
    expect(activation.value.toString()).toBe('{"a b":[1,"x\\ny"]}');
    expect(activation.body.toString()).toBe('{"value":{"a b":[1,"x\\ny"]},"deadline":"9"}');
    expect(activation.env).toEqual({ __OW_DEADLINE: '9' });
    expect(activation.deadline).toBe(9);
  });

  it('gives {} for a missing value and parses params only on demand', async () => {
    const { app, seen } = recordingEngine();
    await invoke(app, '/run', '{"namespace":"guest","n":1.50,"t":true,"o":{},"nil":null}');
    const activation = seen.activations[0] as Activation;
    expect(activation.value.toString()).toBe('{}');
    expect(activation.params).toEqual({});
    expect(activation.env).toEqual({ __OW_NAMESPACE: 'guest', __OW_N: '1.5', __OW_T: 'true' });
  });

  it('builds env before releasing the bytes, and refuses the bytes afterwards', async () => {
    const { app, seen } = recordingEngine();
    await invoke(app, '/run', '{"value":{"a":1},"activation_id":"x1"}');
    const activation = seen.activations[0] as Activation;
    activation.releaseBytes();
    expect(activation.env).toEqual({ __OW_ACTIVATION_ID: 'x1' });
    expect(() => activation.value).toThrow(/released/);
    expect(() => activation.body).toThrow(/released/);
  });

  it('lets the last of a repeated key win, as JSON.parse and Go do', async () => {
    const { app, seen } = recordingEngine();
    await invoke(app, '/run', '{"value":[1],"a":"x","a":null,"value":[2],"b":"y","b":"z"}');
    const activation = seen.activations[0] as Activation;
    expect(activation.value.toString()).toBe('[2]');
    expect(activation.env).toEqual({ __OW_B: 'z' });
  });

  it('answers a BOM, and nesting past the bound, with 400', async () => {
    const { app, seen } = recordingEngine();
    for (const body of ['\uFEFF{"value":{}}', `{"value":${nested(MAX_JSON_DEPTH)}}`]) {
      const res = await invoke(app, '/run', body);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ error: MESSAGES.invalidJson });
    }
    expect(seen.activations).toHaveLength(0);
    const deepest = await invoke(app, '/run', `{"value":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(deepest.status).toBe(200);
    expect(deepest.body).toBe(nested(MAX_JSON_DEPTH - 1));
  });

  it('keeps /init code as its raw JSON text and parses the other members', async () => {
    const { app, seen } = recordingEngine();
    await invoke(
      app,
      '/init',
      '{"value":{"name":"a","code":"UEsD\\/A==","binary":true,"env":{"N":1}}}',
    );
    await invoke(app, '/init', '{}');
    const { code, value, env } = seen.inits[0] as InitRequest;
    expect(code?.toString()).toBe('"UEsD\\/A=="');
    expect(value).toEqual({ name: 'a', binary: true, env: { N: 1 } });
    expect(env).toEqual({ N: '1' });
  });

  it('gives null code when it is absent or null', async () => {
    for (const body of ['{"value":{"code":null}}', '{"value":{"main":"m"}}', '{}']) {
      const { app, seen } = recordingEngine();
      await invoke(app, '/init', body);
      expect(seen.inits[0]?.code).toBeNull();
    }
  });
});

describe('native params', () => {
  it('echoes params nested 9,999 deep (the deepest a body allows) byte for byte', async () => {
    const app = createApp((params) => ({ params }), { logs: captureLogs(), env: {} });
    const res = await invoke(app, '/run', `{"value":${nested(MAX_JSON_DEPTH - 2)}}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(`{"params":${nested(MAX_JSON_DEPTH - 2)}}`);
  });

  it('parses params nested 5,000 deep', async () => {
    const depthOf = (params: unknown) => {
      let depth = 0;
      for (let at: unknown = params; Array.isArray(at); at = at[0]) depth++;
      return { depth };
    };
    const app = createApp(depthOf, { logs: captureLogs(), env: {} });
    const res = await invoke(app, '/run', `{"value":${nested(5000)}}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"depth":5000}');
  });
});
