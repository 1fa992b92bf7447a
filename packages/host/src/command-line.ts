/**
 * Command lines declared once: each option's flag, environment variable, default and description
 * in one spec, from which `node:util`'s parseArgs, the terminal `--help` and the README's
 * Markdown table all come. Every problem is a UsageError (exit code 2) of one line.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export { UsageError };

/**
 * A command-line option declared once: its flag, an optional environment variable, its default
 * and its description, from which the parser, `--help` and the README's table all come. A flag
 * wins over the environment, which wins over the default.
 */
export interface OptionSpec<T> {
  flag: string;
  env?: string;
  default: T;
  description: string;
  /**
   * The default as the help and the table show it, in Markdown (e.g. "20 (10 with `--quick`)"),
   * when the declared default is a placeholder the command resolves later; `default` otherwise.
   */
  shownDefault?: string;
  /**
   * A switch: present or not, with no value (`--curves`). Implied by a boolean default; given
   * when the default is not a boolean (null: "the profile decides").
   */
  switch?: boolean;
  parse(raw: string): T;
}

/** Whether parseArgs reads the flag as a switch rather than as a flag with a value. */
function isSwitch(spec: OptionSpec<unknown>): boolean {
  return spec.switch ?? typeof spec.default === 'boolean';
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type OptionValues<S extends OptionSpecs> = { [K in keyof S]: S[K]['default'] };

/** A flag that is present or not (`--json`). */
export function flag(name: string, description: string): OptionSpec<boolean> {
  return {
    flag: name,
    default: false,
    description,
    parse(raw) {
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0' || raw === '') return false;
      throw new Error(`expected true or false, got ${JSON.stringify(raw)}`);
    },
  };
}

export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new Error(`expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}

export interface CommandLine<S extends OptionSpecs> {
  values: OptionValues<S>;
  positionals: string[];
  /** The values of each repeatable flag, in the order given. */
  repeated: Record<string, string[]>;
}

/**
 * Reads a command line with `node:util`'s parseArgs, which knows from the specs which flags take
 * a value (`--process hello` is a flag, then a positional). Every problem is a one-line usage
 * error that names the flag or the environment variable.
 */
export function parseCommandLine<S extends OptionSpecs>(
  specs: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  repeatable: readonly string[] = [],
): CommandLine<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const spec of Object.values(specs)) {
    options[spec.flag] = { type: isSwitch(spec) ? 'boolean' : 'string' };
  }
  for (const name of repeatable) options[name] = { type: 'string', multiple: true };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${parseArgsProblem(error)} (see --help)`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const given = parsed.values[spec.flag];
    if (typeof given === 'boolean') {
      values[key] = given;
      continue;
    }
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    const raw = typeof given === 'string' ? given : fromEnv;
    if (raw === undefined || (raw === '' && given === undefined)) {
      values[key] = spec.default;
      continue;
    }
    try {
      values[key] = spec.parse(raw);
    } catch (error) {
      const source = given === undefined ? spec.env : `--${spec.flag}`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`${source}: ${reason} (see --help)`);
    }
  }
  const repeated: Record<string, string[]> = {};
  for (const name of repeatable) {
    const given = parsed.values[name];
    repeated[name] = Array.isArray(given) ? given.map(String) : [];
  }
  return { values: values as OptionValues<S>, positionals: parsed.positionals, repeated };
}

/** parseArgs' messages, which explain its own API, said in the command's terms. */
function parseArgsProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? 'an option';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) return `${option} needs a value`;
    if (/does not take an argument/.test(message)) return `${option} takes no value`;
    if (/ambiguous/.test(message)) {
      return `${option}: a value that starts with a dash goes after =, e.g. ${option}=-1`;
    }
  }
  return message.split('\n')[0] ?? message;
}

/** The README's Markdown table of the options; a test checks that the READMEs contain it. */
export function optionsTable(specs: OptionSpecs): string {
  const rows = Object.values(specs).map(
    (s) =>
      `| \`--${s.flag}\` | ${s.env ? `\`${s.env}\`` : ''} | ${s.shownDefault ?? `\`${String(s.default)}\``} | ${s.description} |`,
  );
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * The option rows of a Markdown text (`optionsTable`'s, or a README holding it), each as its cells
 * trimmed: how a test finds the rows in a README, whose formatter pads the columns.
 */
export function optionRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `--'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

/** An option the specs cannot describe (a repeatable one), shown in the help all the same. */
export interface ExtraOption {
  flag: string;
  value: string;
  description: string;
}

const HELP_WIDTH = 80;
const FLAG_COLUMN = 24;

/**
 * `--help` for a terminal: the synopsis, then one entry per option with its description wrapped,
 * its default and its environment variable, from the same specs the READMEs' tables come from.
 */
export function usage(
  synopsis: string,
  specs: OptionSpecs,
  extra: { options?: readonly ExtraOption[]; text?: string } = {},
): string {
  const entries = [
    ...Object.values(specs).map((spec) => ({
      left: isSwitch(spec) ? `--${spec.flag}` : `--${spec.flag} <${valueName(spec.default)}>`,
      text: [
        plain(spec.description),
        ...(spec.shownDefault !== undefined
          ? [`Default ${plain(spec.shownDefault)}.`]
          : spec.default === '' || typeof spec.default === 'boolean'
            ? []
            : [`Default ${String(spec.default)}.`]),
        ...(spec.env === undefined ? [] : [`Environment: ${spec.env}.`]),
      ].join(' '),
    })),
    ...(extra.options ?? []).map((option) => ({
      left: `--${option.flag} <${option.value}>`,
      text: plain(option.description),
    })),
  ];
  const lines = [`usage: ${synopsis}`, '', 'options:'];
  for (const { left, text } of entries) {
    const wrapped = wrap(text, HELP_WIDTH - FLAG_COLUMN);
    const first = `  ${left}`;
    if (first.length < FLAG_COLUMN) {
      lines.push(first.padEnd(FLAG_COLUMN) + (wrapped[0] ?? ''));
      wrapped.shift();
    } else {
      lines.push(first);
    }
    for (const line of wrapped) lines.push(' '.repeat(FLAG_COLUMN) + line);
  }
  return `${lines.join('\n')}\n${extra.text === undefined ? '' : `\n${extra.text.trim()}\n`}`;
}

function valueName(example: unknown): string {
  return typeof example === 'number' ? 'n' : 'value';
}

/** Markdown's code spans read as quotes on a terminal. */
function plain(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, "'$1'");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Reads a command line that takes options only (a server's): as parseCommandLine, and a
 * positional argument is a usage error too.
 */
export function parseOptionsOnly<S extends OptionSpecs>(
  specs: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): OptionValues<S> {
  const { values, positionals } = parseCommandLine(specs, argv, env);
  const [stray] = positionals;
  if (stray !== undefined) {
    throw new UsageError(`unexpected argument ${JSON.stringify(stray)} (see --help)`);
  }
  return values;
}

/** Where a server listens: the options every owkit server (the runtime's, the proxy) shares. */
export const listenOptionSpecs = {
  port: {
    flag: 'port',
    env: 'PORT',
    default: 8080,
    description: 'Port to listen on. OpenWhisk always uses 8080; set it for local runs.',
    parse: integerIn(0, 65_535),
  },
  host: {
    flag: 'host',
    env: 'HOST',
    default: '0.0.0.0',
    description: 'Address to listen on. The invoker connects to the container IP, not loopback.',
    parse: (raw: string) => raw,
  },
} satisfies OptionSpecs;
