import { request } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { MAX_ARGUMENT_BYTES } from '../src/index.js';
import { nodeExecutable, startProxy, tempDir } from './helpers.js';

/** Reports what it received, as text, so the test sees the child's exact bytes. */
const blackboxEcho = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const stdin = Buffer.concat(chunks).toString();
  console.log(JSON.stringify({ argv: process.argv[2] ?? null, stdin }));
});
`;

/** Answers with a result line written by hand: numbers and depth JSON.parse would not keep. */
const blackboxResult = `console.log(' {"id": 1234567890123456789, "x":1e400, "z":-0, "deep":${'['.repeat(5000)}${']'.repeat(5000)}} ');`;

/** Actionloop mode: the request line comes back as a string, and a hand-written result after it. */
const loopEcho = `
const fs = require('node:fs');
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\\n')) !== -1) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    fs.writeSync(3, '{"line":' + JSON.stringify(line) + ',"big":1234567890123456789}\\n');
  }
});
`;

const exactBody = '{"value":{"id":1234567890123456789,"x":1e400,"z":-0},"activation_id":"a1"}';

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('params and results as bytes', () => {
  it('hands a blackbox child value exactly as sent, on argv and stdin', async () => {
    const proxy = await startProxy({ exec: await nodeExecutable(await tempDir(), blackboxEcho) });
    const res = await request(proxy.url, '/run', exactBody);
    expect(res.status).toBe(200);
    const value = '{"id":1234567890123456789,"x":1e400,"z":-0}';
    expect(res.json).toEqual({ argv: value, stdin: value });
  });

  it('compacts the value a blackbox child receives, strings untouched', async () => {
    const proxy = await startProxy({ exec: await nodeExecutable(await tempDir(), blackboxEcho) });
    const res = await request(proxy.url, '/run', '{ "value" : { "a" : [ 1 , "x y" ] } }');
    expect(res.json).toEqual({ argv: '{"a":[1,"x y"]}', stdin: '{"a":[1,"x y"]}' });
  });

  it('passes 5,000-deep params on to a blackbox child', async () => {
    const proxy = await startProxy({ exec: await nodeExecutable(await tempDir(), blackboxEcho) });
    const res = await request(proxy.url, '/run', `{"value":${nested(5000)}}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ argv: nested(5000), stdin: nested(5000) });
  });

  it('gives large params on stdin only', async () => {
    const proxy = await startProxy({ exec: await nodeExecutable(await tempDir(), blackboxEcho) });
    const pad = 'p'.repeat(MAX_ARGUMENT_BYTES);
    const res = await request(proxy.url, '/run', `{"value":{"pad":"${pad}"}}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ argv: null, stdin: `{"pad":"${pad}"}` });
  });

  it("answers a blackbox child's result with its numbers and depth untouched, compacted", async () => {
    const proxy = await startProxy({ exec: await nodeExecutable(await tempDir(), blackboxResult) });
    const res = await request(proxy.url, '/run', '{"value":{}}');
    expect(res.status).toBe(200);
    expect(res.body).toBe(`{"id":1234567890123456789,"x":1e400,"z":-0,"deep":${nested(5000)}}`);
  });

  it('sends an actionloop child the body as one compact line and passes its result as written', async () => {
    const proxy = await startProxy({
      exec: await nodeExecutable(await tempDir(), loopEcho),
      mode: 'actionloop',
      pool: 1,
    });
    const res = await request(proxy.url, '/run', exactBody.replace(',', ' ,\n '));
    expect(res.status).toBe(200);
    expect(res.body).toBe(`{"line":${JSON.stringify(exactBody)},"big":1234567890123456789}`);
    const deep = `{"value":${nested(5000)}}`;
    const deepRes = await request(proxy.url, '/run', deep);
    expect(deepRes.body).toBe(`{"line":${JSON.stringify(deep)},"big":1234567890123456789}`);
  });
});
