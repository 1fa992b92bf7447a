import type { OptionSpec, OptionSpecs } from '@owkit/runtime/core';
import { usageError } from './errors.js';

/** A flag that is present or not (`--json`); core's parser reads its value as "true". */
export function flag(name: string, description: string): OptionSpec<boolean> {
  return {
    flag: name,
    default: false,
    description,
    parse(raw) {
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new Error(`expected no value, got ${JSON.stringify(raw)}`);
    },
  };
}

export interface SplitArgs {
  positionals: string[];
  /** Flags in the `--name value` form core's parseOptionValues takes. */
  flags: string[];
  /** Values of repeatable flags, in order, by flag name. */
  repeated: Map<string, string[]>;
}

/**
 * Separates positional arguments and repeatable flags from the rest. Core's parser takes only
 * `--flag value` pairs and would read a bare `--process hello` as process=hello, so each flag's
 * arity is decided here from its spec.
 */
export function splitArgs(
  argv: readonly string[],
  specs: OptionSpecs,
  repeatable: readonly string[] = [],
): SplitArgs {
  const booleans = new Set(
    Object.values(specs)
      .filter((spec) => typeof spec.default === 'boolean')
      .map((spec) => spec.flag),
  );
  const result: SplitArgs = { positionals: [], flags: [], repeated: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') {
      result.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (booleans.has(name)) {
      result.flags.push(eq === -1 ? `--${name}=true` : arg);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined) throw usageError(`--${name} needs a value (see --help)`);
      i++;
    }
    if (repeatable.includes(name)) {
      const values = result.repeated.get(name) ?? [];
      values.push(value);
      result.repeated.set(name, values);
    } else {
      result.flags.push(`--${name}=${value}`);
    }
  }
  return result;
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
      left:
        typeof spec.default === 'boolean'
          ? `--${spec.flag}`
          : `--${spec.flag} <${valueName(spec.default)}>`,
      text: [
        plain(spec.description),
        ...(spec.default === '' || typeof spec.default === 'boolean'
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
