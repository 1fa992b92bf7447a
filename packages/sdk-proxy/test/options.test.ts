import { readFile } from 'node:fs/promises';
import { optionRows, UsageError } from '@owkit/host/command-line';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { parseOptions, proxyOptionSpecs, proxyOptionsTable } from '../src/index.js';

describe('parseOptions', () => {
  it('has the documented defaults', () => {
    expect(parseOptions([], {})).toEqual({
      exec: '/action/exec',
      mode: 'blackbox',
      port: 8080,
      host: '0.0.0.0',
      pool: 1,
      spawnHelper: 'auto',
      outputLimit: 16_777_216,
      treeKill: 'sweep',
      unzipMaxBytes: 536_870_912,
      unzipMaxEntries: 100_000,
      timeout: 0,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      OWKIT_MODE: 'actionloop',
      OWKIT_POOL: '4',
      PORT: '9000',
      OWKIT_TIMEOUT_MS: '5000',
    };
    expect(parseOptions(['--pool=2', '--exec', '/srv/run'], env)).toMatchObject({
      mode: 'actionloop',
      pool: 2,
      port: 9000,
      timeout: 5000,
      exec: '/srv/run',
    });
  });

  it.each([
    [['--mode', 'forever'], /--mode: expected one of blackbox, actionloop/],
    [['--mode', 'loop'], /--mode: "loop" is now called "actionloop"/],
    [['--mode', 'per-activation'], /--mode: "per-activation" is now called "blackbox"/],
    [['--pool', '0'], /--pool: expected a whole number/],
    [['--output-limit', 'lots'], /--output-limit/],
    [['--verbose'], /unknown option --verbose/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(UsageError);
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});

describe('documentation and API', () => {
  it('lists every option in the README exactly as --help prints them', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const documented = optionRows(readme);
    expect(documented).toEqual(optionRows(proxyOptionsTable()));
    expect(documented).toHaveLength(Object.keys(proxyOptionSpecs).length);
  });

  it('exports a stable list of names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ActionCodeError",
        "ChildStartError",
        "MAX_ARGUMENT_BYTES",
        "PARAMS_BYTES_VARIABLE",
        "PROXY_MESSAGES",
        "UnsafeZipError",
        "createActionloopEngine",
        "createBlackboxEngine",
        "createProxyApp",
        "createProxyServer",
        "parseOptions",
        "proxyOptionSpecs",
        "proxyOptionsTable",
      ]
    `);
  });
});
