import { describe, expect, it } from 'vitest';
import {
  flag,
  integerIn,
  oneOf,
  optionsTable,
  parseCommandLine,
  UsageError,
  usage,
} from '../src/command-line.js';

const specs = {
  port: {
    flag: 'port',
    env: 'PORT',
    default: 8080,
    description: 'Port to listen on.',
    parse: integerIn(1, 65_535),
  },
  mode: {
    flag: 'mode',
    default: 'blackbox' as string,
    description: 'How the executable runs.',
    parse: oneOf(['blackbox', 'actionloop']),
  },
  json: flag('json', 'Print JSON.'),
};

function usageFailure(argv: string[], env: Record<string, string> = {}): UsageError {
  try {
    parseCommandLine(specs, argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('parseCommandLine', () => {
  it('takes a flag over the environment over the default, and keeps positionals', () => {
    expect(
      parseCommandLine(specs, ['a', '--port', '9000', '--json', 'b'], { PORT: '7000' }),
    ).toEqual({
      values: { port: 9000, mode: 'blackbox', json: true },
      positionals: ['a', 'b'],
      repeated: {},
    });
    expect(parseCommandLine(specs, [], { PORT: '7000' }).values.port).toBe(7000);
  });

  it('collects a repeatable flag in order', () => {
    const { repeated } = parseCommandLine(specs, ['--param', 'a=1', '--param', 'b=2'], {}, [
      'param',
    ]);
    expect(repeated).toEqual({ param: ['a=1', 'b=2'] });
  });

  it('names the flag or the variable in a one-line error', () => {
    expect(usageFailure(['--port', 'x']).message).toBe(
      '--port: expected a whole number from 1 to 65535, got "x" (see --help)',
    );
    expect(usageFailure([], { PORT: '0' }).message).toMatch(/^PORT: expected a whole number/);
    expect(usageFailure(['--mode', 'loop']).message).toBe(
      '--mode: expected one of blackbox, actionloop, got "loop" (see --help)',
    );
    expect(usageFailure(['--nope']).message).toBe('unknown option --nope (see --help)');
    expect(usageFailure(['--port']).message).toBe('--port needs a value (see --help)');
  });
});

describe('the options table and --help', () => {
  it('renders one Markdown row per option', () => {
    expect(optionsTable(specs).split('\n')).toEqual([
      '| flag | environment | default | meaning |',
      '|---|---|---|---|',
      '| `--port` | `PORT` | `8080` | Port to listen on. |',
      '| `--mode` |  | `blackbox` | How the executable runs. |',
      '| `--json` |  | `false` | Print JSON. |',
    ]);
  });

  it('renders --help for a terminal from the same specs', () => {
    expect(usage('tool [options]', specs)).toBe(
      [
        'usage: tool [options]',
        '',
        'options:',
        '  --port <n>            Port to listen on. Default 8080. Environment: PORT.',
        '  --mode <value>        How the executable runs. Default blackbox.',
        '  --json                Print JSON.',
        '',
      ].join('\n'),
    );
  });
});

describe('a default the command resolves later', () => {
  const profileSpecs = {
    curves: {
      flag: 'curves',
      env: 'CURVES',
      default: null as boolean | null,
      shownDefault: 'on (off with `--quick`)',
      switch: true,
      description: 'Draw the curves.',
      parse: flag('curves', '').parse,
    },
  };

  it('reads a switch whose default is not a boolean, from the flag or the environment', () => {
    expect(parseCommandLine(profileSpecs, ['--curves'], {}).values.curves).toBe(true);
    expect(parseCommandLine(profileSpecs, [], { CURVES: 'false' }).values.curves).toBe(false);
    expect(parseCommandLine(profileSpecs, [], {}).values.curves).toBeNull();
    expect(() => parseCommandLine(profileSpecs, ['--curves=yes'], {})).toThrow(
      '--curves takes no value (see --help)',
    );
  });

  it('shows the shown default in the table and in --help', () => {
    expect(optionsTable(profileSpecs).split('\n')[2]).toBe(
      '| `--curves` | `CURVES` | on (off with `--quick`) | Draw the curves. |',
    );
    expect(usage('tool', profileSpecs)).toContain(
      "  --curves              Draw the curves. Default on (off with '--quick').\n",
    );
  });
});
