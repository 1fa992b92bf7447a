import { readFile } from 'node:fs/promises';
import { Server } from 'node:http';
import { optionRows, optionsTable } from '@owkit/host/command-line';
import { describe, expect, it } from 'vitest';
import type { ProtocolApp, ProtocolResponse, ProtocolServer } from '../src/index.js';
import * as runtime from '../src/index.js';
import { parseOptions, runtimeOptionSpecs } from '../src/options.js';
import * as testing from '../src/testing.js';

describe('public API', () => {
  // `.` and `./testing` are the whole surface: the protocol itself is the private @owkit/protocol.
  it('exports exactly these names from . and ./testing', () => {
    expect(Object.keys(runtime).sort()).toMatchInlineSnapshot(`
      [
        "MESSAGES",
        "SENTINEL",
        "createApp",
        "createServer",
        "mediaTypeOf",
        "parseOptions",
        "runtimeOptionSpecs",
        "serve",
        "toRequest",
        "toResult",
        "web",
        "webBodyKind",
      ]
    `);
    expect(Object.keys(testing).sort()).toMatchInlineSnapshot(`
      [
        "captureLogs",
        "initBody",
        "invoke",
        "listen",
        "request",
        "runBody",
      ]
    `);
  });
});

describe('the types a user meets', () => {
  it('are exported from . (this compiles only if they are)', async () => {
    const app: ProtocolApp = runtime.createApp(() => ({ ok: true }));
    const answer: ProtocolResponse = await app.handle({ method: 'POST', path: '/run', body: '{}' });
    expect(answer.status).toBe(200);
    const created: ProtocolServer = runtime.createServer(() => ({}));
    expect(created.server).toBeInstanceOf(Server);
    expect(created.server.listening).toBe(false);
    await created.app.close();
  });
});

describe('parseOptions', () => {
  it('defaults to 0.0.0.0:8080', () => {
    expect(parseOptions([], {})).toEqual({ port: 8080, host: '0.0.0.0' });
  });

  it('takes PORT from the environment and lets a flag win', () => {
    expect(parseOptions([], { PORT: '18080' }).port).toBe(18080);
    expect(parseOptions(['--port', '9000'], { PORT: '18080' }).port).toBe(9000);
    expect(parseOptions(['--port=9001'], {}).port).toBe(9001);
  });

  it('says which option is wrong', () => {
    expect(() => parseOptions([], { PORT: 'eighty' })).toThrow(/^PORT: expected a whole number/);
    expect(() => parseOptions(['--port', '70000'], {})).toThrow(/^--port: expected a whole number/);
    expect(() => parseOptions(['--colour', 'red'], {})).toThrow('unknown option --colour');
    expect(() => parseOptions(['stray'], {})).toThrow('unexpected argument "stray"');
  });
});

describe('the options table', () => {
  it("is in the repository README's Runtime options section, row for row", async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.split('### Runtime options')[1]?.split('\n\n')[1] ?? '';
    expect(optionRows(section)).toEqual(optionRows(optionsTable(runtimeOptionSpecs)));
    expect(optionRows(section)).toHaveLength(Object.keys(runtimeOptionSpecs).length);
  });
});
