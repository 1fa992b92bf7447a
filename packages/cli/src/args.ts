import { type OptionSpec, type OptionSpecs, optionsTable } from '@owkit/runtime/core';
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

export function usage(synopsis: string, specs: OptionSpecs, extra = ''): string {
  return `${synopsis}\n\n${optionsTable(specs)}\n${extra}`;
}
