import { describe, expect, it } from 'vitest';
import {
  listenOptionSpecs,
  optionsTable,
  parseOptionsOnly,
  UsageError,
} from '../src/command-line.js';

describe('parseOptionsOnly with the listen options', () => {
  it('defaults to 0.0.0.0:8080, takes PORT and HOST, and lets a flag win', () => {
    expect(parseOptionsOnly(listenOptionSpecs, [], {})).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(parseOptionsOnly(listenOptionSpecs, [], { PORT: '0', HOST: '::1' })).toEqual({
      port: 0,
      host: '::1',
    });
    expect(parseOptionsOnly(listenOptionSpecs, ['--port=9001'], { PORT: '9000' }).port).toBe(9001);
  });

  it('refuses a port outside 0-65535 and a positional argument with one-line usage errors', () => {
    const problem = (argv: string[], env: Record<string, string> = {}) => {
      try {
        parseOptionsOnly(listenOptionSpecs, argv, env);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as UsageError).message;
      }
      throw new Error('expected a usage error');
    };
    expect(problem([], { PORT: 'eighty' })).toBe(
      'PORT: expected a whole number from 0 to 65535, got "eighty" (see --help)',
    );
    expect(problem(['--port', '65536'])).toMatch(/^--port: expected a whole number from 0/);
    expect(problem(['stray'])).toBe('unexpected argument "stray" (see --help)');
  });

  it('documents both in one table', () => {
    expect(optionsTable(listenOptionSpecs)).toContain('| `--port` | `PORT` | `8080` |');
    expect(optionsTable(listenOptionSpecs)).toContain('| `--host` | `HOST` | `0.0.0.0` |');
  });
});
