/**
 * Command-line and environment options declared once: each has a flag, an optional environment
 * variable and a default. Flags win over the environment, which wins over the default.
 *
 * Not part of the protocol: the entry files of the runtime and the proxy (and the bench) still
 * read their command lines with it, until they move to `@owkit/host/command-line`, which does
 * the same on `node:util`'s parseArgs. Hence a subpath of its own, `@owkit/protocol/options`.
 */
export interface OptionSpec<T> {
  flag: string;
  env?: string;
  default: T;
  description: string;
  parse(raw: string): T;
}

export type OptionSpecs = Record<string, OptionSpec<unknown>>;
export type OptionValues<S extends OptionSpecs> = { [K in keyof S]: S[K]['default'] };

/** A command line or environment the process cannot start with: the user's to fix (exit 2). */
export class OptionsError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'OptionsError';
  }
}

export function parseOptionValues<S extends OptionSpecs>(
  specs: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): OptionValues<S> {
  const flags = readFlags(argv);
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const fromFlag = flags.get(spec.flag);
    flags.delete(spec.flag);
    const raw = fromFlag ?? (spec.env === undefined ? undefined : env[spec.env]);
    if (raw === undefined || raw === '') {
      values[name] = spec.default;
      continue;
    }
    try {
      values[name] = spec.parse(raw);
    } catch (error) {
      const source = fromFlag === undefined ? `${spec.env}` : `--${spec.flag}`;
      throw new OptionsError(
        `${source}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const unknown = [...flags.keys()];
  if (unknown.length > 0) throw new OptionsError(`unknown option --${unknown[0]}`);
  return values as OptionValues<S>;
}

/** `--name value`, `--name=value`, and bare `--name` (meaning "true"). */
function readFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new OptionsError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(arg.slice(2), next);
      i++;
    } else {
      flags.set(arg.slice(2), 'true');
    }
  }
  return flags;
}

export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`expected a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

export function oneOf<T extends string>(...choices: T[]): (raw: string) => T {
  return (raw) => {
    if (!(choices as string[]).includes(raw)) {
      throw new Error(`expected one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}

export const port = integerIn(0, 65_535);

/** A Markdown table of the options, for READMEs and `--help`. */
export function optionsTable(specs: OptionSpecs): string {
  const rows = Object.values(specs).map(
    (s) =>
      `| \`--${s.flag}\` | ${s.env ? `\`${s.env}\`` : ''} | \`${String(s.default)}\` | ${s.description} |`,
  );
  return ['| flag | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** Where a server listens: the options every owkit server shares. */
export const listenOptionSpecs = {
  port: {
    flag: 'port',
    env: 'PORT',
    default: 8080,
    description: 'Port to listen on. OpenWhisk always uses 8080; set it for local runs.',
    parse: port,
  },
  host: {
    flag: 'host',
    env: 'HOST',
    default: '0.0.0.0',
    description: 'Address to listen on. The invoker connects to the container IP, not loopback.',
    parse: (raw: string) => raw,
  },
};
