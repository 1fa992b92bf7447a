import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@owkit/host/command-line';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { parseOptions } from '../src/invoke/options.js';
import { parseOptions as parseNewAction } from '../src/new-action/options.js';
import { parseOptions as parsePackage } from '../src/package/options.js';

/** The cli's own usage errors and the command-line parser's both exit 2 with one line. */
function usageFailure(run: () => unknown): CliError | UsageError {
  try {
    run();
  } catch (error) {
    expect([CliError, UsageError].some((kind) => error instanceof kind)).toBe(true);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).not.toContain('\n');
    return error as CliError;
  }
  throw new Error('expected a usage error');
}

describe('invoke options', () => {
  it('takes the target, params JSON and flags in any order', () => {
    const options = parseOptions(
      ['--warm', '3', 'reverse-string', '{"payload":"abc"}', '--process', '--timeout=500'],
      {},
    );
    expect(options).toMatchObject({
      target: 'reverse-string',
      params: { payload: 'abc' },
      warm: 3,
      process: true,
      timeout: 500,
      style: undefined,
      port: 0,
      json: false,
    });
  });

  it('reads a bare boolean flag without swallowing the positional after it', () => {
    const options = parseOptions(['--process', 'reverse-string'], {});
    expect([options.process, options.target]).toEqual([true, 'reverse-string']);
  });

  it('builds params from repeated --param, reading values as JSON when they parse', () => {
    const options = parseOptions(
      ['x', '{"keep":1}', '--param', 'payload=hello', '--param', 'n=42', '--param', 'o={"a":[1]}'],
      {},
    );
    expect(options.params).toEqual({ keep: 1, payload: 'hello', n: 42, o: { a: [1] } });
  });

  it('reads @file params relative to where the user ran pnpm (INIT_CWD)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'owkit-cli-params-'));
    await writeFile(join(dir, 'params.json'), '{"payload":"from a file"}');
    const options = parseOptions(['x', '@params.json'], { INIT_CWD: dir });
    expect(options.params).toEqual({ payload: 'from a file' });
  });

  it('takes the timeout from the environment when no flag is given', () => {
    expect(parseOptions(['x'], { OWKIT_INVOKE_TIMEOUT_MS: '1500' }).timeout).toBe(1500);
    expect(
      parseOptions(['x', '--timeout', '900'], { OWKIT_INVOKE_TIMEOUT_MS: '1500' }).timeout,
    ).toBe(900);
  });

  it.each([
    [['x', '{payload:1}'], /not JSON.*--param payload=abc/],
    [['x', '@/nonexistent/params.json'], /cannot read params file/],
    [[], /name an action folder or an image/],
    [['x', '{}', 'extra'], /unexpected argument "extra"/],
    [['x', '--style', 'go-fast'], /--style: expected one of ts-native, go-native/],
    [['x', '--bogus', '1'], /unknown option --bogus/],
    [['x', '[1]', '--param', 'a=1'], /must then be an object/],
    [['x', '--param', 'novalue'], /key=value/],
    [['x', '--timeout'], /--timeout needs a value/],
    [['x', '--process=yes'], /--process takes no value/],
    [['x', '--warm', '-1'], /--warm: a value that starts with a dash goes after =/],
    [['x', '--warm=-1'], /--warm: expected a whole number from 0/],
    [['x', '-p'], /unknown option -p/],
  ])('refuses %j with a one-line usage error', (argv, message) => {
    expect(usageFailure(() => parseOptions(argv, {})).message).toMatch(message);
  });

  it('reads an argument after -- as a positional, even one that looks like a flag', () => {
    expect(parseOptions(['--', '--odd-name'], {}).target).toBe('--odd-name');
  });

  it('names the environment variable whose value it refuses', () => {
    expect(
      usageFailure(() => parseOptions(['x'], { OWKIT_READY_TIMEOUT_MS: 'soon' })).message,
    ).toMatch(/^OWKIT_READY_TIMEOUT_MS: expected a whole number/);
  });

  it('answers --help without needing a target', () => {
    expect(parseOptions(['--help'], {}).help).toBe(true);
  });
});

describe('new-action and package options', () => {
  it('takes the name, the style and --no-install', () => {
    expect(parseNewAction(['hello', '--style', 'go-native', '--no-install'], {})).toEqual({
      name: 'hello',
      style: 'go-native',
      install: false,
      help: false,
    });
  });

  it('insists on a style', () => {
    expect(usageFailure(() => parseNewAction(['hello'], {})).message).toMatch(
      /--style ts-native\|/,
    );
  });

  it('resolves --out against INIT_CWD', () => {
    expect(parsePackage(['a', '--out', 'z/exec.zip'], { INIT_CWD: '/somewhere' }).out).toBe(
      '/somewhere/z/exec.zip',
    );
  });
});
