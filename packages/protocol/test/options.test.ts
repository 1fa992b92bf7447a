import { describe, expect, it } from 'vitest';
import {
  integerIn,
  listenOptionSpecs,
  OptionsError,
  oneOf,
  optionsTable,
  parseOptionValues,
} from '../src/options.js';

const specs = {
  ...listenOptionSpecs,
  mode: {
    flag: 'mode',
    env: 'MODE',
    default: 'a' as 'a' | 'b',
    description: 'Which one.',
    parse: oneOf('a', 'b'),
  },
  count: { flag: 'count', default: 1, description: 'How many.', parse: integerIn(1, 9) },
};

describe('parseOptionValues', () => {
  it('takes a flag over the environment over the default', () => {
    expect(parseOptionValues(specs, [], {})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      mode: 'a',
      count: 1,
    });
    expect(parseOptionValues(specs, [], { MODE: 'b', PORT: '9' })).toMatchObject({
      mode: 'b',
      port: 9,
    });
    expect(parseOptionValues(specs, ['--mode=a', '--count', '3'], { MODE: 'b' })).toMatchObject({
      mode: 'a',
      count: 3,
    });
  });

  it('throws an OptionsError (exit code 2) that names the flag or the variable', () => {
    const problem = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseOptionValues(specs, argv, env);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionsError);
        expect((error as OptionsError).exitCode).toBe(2);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(problem([], { PORT: 'x' })).toMatch(/^PORT: expected a whole number from 0 to 65535/);
    expect(problem(['--count', '10'])).toMatch(/^--count: expected a whole number from 1 to 9/);
    expect(problem(['--mode', 'c'])).toBe('--mode: expected one of a, b, got "c"');
    expect(problem(['--colour', 'red'])).toBe('unknown option --colour');
    expect(problem(['stray'])).toBe('unexpected argument "stray"');
  });
});

describe('optionsTable', () => {
  it('is one Markdown row per option', () => {
    expect(optionsTable(specs).split('\n')).toHaveLength(2 + Object.keys(specs).length);
    expect(optionsTable(specs)).toContain('| `--port` | `PORT` | `8080` |');
  });
});
