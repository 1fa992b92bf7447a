import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  flag,
  integerIn,
  type OptionValues,
  parseCommandLine,
  usage,
} from '@owkit/host/command-line';
import { CliError, usageError } from '../errors.js';
import { userCwd } from '../repo.js';
import { isStyle, STYLES, type Style } from '../styles.js';

export const invokeOptionSpecs = {
  style: {
    flag: 'style',
    default: '',
    description: `Which style of an action folder to run (${STYLES.join(', ')}); its first one when omitted.`,
    parse: (raw: string) => {
      if (!isStyle(raw)) throw new Error(`expected one of ${STYLES.join(', ')}`);
      return raw as string;
    },
  },
  process: flag(
    'process',
    'Run the action as a local process (bundle, binary, or proxy + binary) instead of its image.',
  ),
  timeout: {
    flag: 'timeout',
    env: 'OWKIT_INVOKE_TIMEOUT_MS',
    default: 60_000,
    description:
      "The action's time limit in ms: sets the activation's deadline, as the invoker does.",
    parse: integerIn(100, 300_000),
  },
  warm: {
    flag: 'warm',
    default: 0,
    description: 'How many more activations to run on the same container, timing each.',
    parse: integerIn(0, 10_000),
  },
  port: {
    flag: 'port',
    default: 0,
    description: 'Port the action listens on (host network); a free one when 0.',
    parse: integerIn(0, 65_535),
  },
  readyTimeout: {
    flag: 'ready-timeout',
    env: 'OWKIT_READY_TIMEOUT_MS',
    default: 15_000,
    description: 'How long the container or process may take to start listening, in ms.',
    parse: integerIn(100, 600_000),
  },
  memory: {
    flag: 'memory',
    default: 256,
    description:
      "The container's memory limit in MB, as the action's `--memory` (`docker run --memory`, no swap); the invoker's other limits always apply.",
    parse: integerIn(128, 2_048),
  },
  build: flag(
    'build',
    'Rebuild the image (or, with --process, the bundle or binary) even if it exists.',
  ),
  json: flag('json', 'Print one JSON report (result, logs, timings) instead of text.'),
  help: flag('help', 'Print this help.'),
};

export interface InvokeOptions extends Omit<OptionValues<typeof invokeOptionSpecs>, 'style'> {
  /** An action folder under actions/, or an image reference. */
  target: string;
  style: Style | undefined;
  params: unknown;
}

export const INVOKE_USAGE = usage(
  'pnpm invoke <action-or-image> [params JSON | @file.json] [--param key=value]... [options]',
  invokeOptionSpecs,
  {
    options: [
      {
        flag: 'param',
        value: 'key=value',
        description: 'Repeatable; the value is read as JSON when it parses, else as a string.',
      },
    ],
    text: `
Runs the action's image (or, with --process, its bundle or binary) as the OpenWhisk invoker would:
/init, then /run with a fresh activation id and deadline; prints the result, that activation's
logs and the timings. A missing image is built first. Needs a Docker engine unless --process.

examples:
  pnpm invoke reverse-string '{"payload":"hello"}'
  pnpm invoke reverse-string-go --style go-blackbox --param payload=hello --warm 5
  pnpm invoke owkit/reverse-string:go-native @params.json
  pnpm invoke reverse-string --process --param payload=abc
`,
  },
);

/** Everything `pnpm invoke` accepts, from the command line and the environment. */
export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): InvokeOptions {
  const { values, positionals, repeated } = parseCommandLine(invokeOptionSpecs, argv, env, [
    'param',
  ]);
  if (values.help) return { ...values, style: undefined, target: '', params: {} };
  const [target, paramsArg, extra] = positionals;
  if (target === undefined) {
    throw usageError('name an action folder or an image, e.g. pnpm invoke reverse-string');
  }
  if (extra !== undefined) {
    throw usageError(
      `unexpected argument ${JSON.stringify(extra)}: quote the params JSON as one argument`,
    );
  }
  const params = buildParams(paramsArg, repeated.param ?? [], userCwd(env));
  return {
    ...values,
    style: values.style === '' ? undefined : (values.style as Style),
    target,
    params,
  };
}

function buildParams(text: string | undefined, pairs: readonly string[], cwd: string): unknown {
  let params: unknown = {};
  if (text !== undefined)
    params = text.startsWith('@') ? readParamsFile(text.slice(1), cwd) : parseJson(text, 'params');
  if (pairs.length === 0) return params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw usageError('--param adds keys to an object: the params JSON must then be an object');
  }
  const merged = { ...(params as Record<string, unknown>) };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--param ${JSON.stringify(pair)}: write it as key=value`);
    merged[pair.slice(0, eq)] = jsonOrString(pair.slice(eq + 1));
  }
  return merged;
}

function readParamsFile(path: string, cwd: string): unknown {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read params file ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; check the path after @`,
      {
        exitCode: 2,
      },
    );
  }
  return parseJson(text, `params file ${full}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(
      `${what}: not JSON (${(error as Error).message}); pass e.g. '{"payload":"abc"}', @file.json or --param payload=abc`,
    );
  }
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON, so it is meant as text: `--param payload=hello` is the string "hello".
    return text;
  }
}
