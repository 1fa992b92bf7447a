import {
  flag,
  integerIn,
  type OptionValues,
  parseCommandLine,
  usage,
} from '@owkit/host/command-line';
import { usageError } from '../errors.js';
import { invokeOptionSpecs } from '../invoke/options.js';
import type { Style } from '../styles.js';

/** invoke's options where they mean the same, plus what only a gateway needs. */
export const devOptionSpecs = {
  style: invokeOptionSpecs.style,
  process: invokeOptionSpecs.process,
  raw: flag(
    'raw',
    'Map requests as for `--web raw`: the query string and body reach the action as `__ow_query` and `__ow_body`, unparsed.',
  ),
  port: {
    flag: 'port',
    env: 'OWKIT_DEV_PORT',
    default: 3000,
    description: 'Port of the local gateway, on 127.0.0.1.',
    parse: integerIn(1, 65_535),
  },
  timeout: invokeOptionSpecs.timeout,
  readyTimeout: invokeOptionSpecs.readyTimeout,
  memory: invokeOptionSpecs.memory,
  build: invokeOptionSpecs.build,
  help: invokeOptionSpecs.help,
};

export interface DevOptions extends Omit<OptionValues<typeof devOptionSpecs>, 'style'> {
  target: string;
  style: Style | undefined;
}

export const DEV_USAGE = usage('pnpm dev <action-or-image> [options]', devOptionSpecs, {
  text: `
Serves a web action on http://127.0.0.1:<port>/ as the OpenWhisk controller serves
/api/v1/web/<namespace>/default/<action>: each request becomes the params of one /run of the
action's image (or, with --process, its bundle or binary), and the result becomes the answer.
Each activation's logs are printed under its request. Ctrl-C stops the gateway and removes the
container. The mapping rules: docs/web-actions.md.

examples:
  pnpm dev reverse-web                  # then open http://127.0.0.1:3000/
  pnpm dev reverse-web-go --raw --port 8000
  pnpm dev reverse-web --process
`,
});

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DevOptions {
  const { values, positionals } = parseCommandLine(devOptionSpecs, argv, env);
  if (values.help) return { ...values, style: undefined, target: '' };
  const [target, extra] = positionals;
  if (target === undefined) {
    throw usageError('name an action folder or an image, e.g. pnpm dev reverse-web');
  }
  if (extra !== undefined) {
    throw usageError(`unexpected argument ${JSON.stringify(extra)}: pnpm dev takes one action`);
  }
  return { ...values, style: values.style === '' ? undefined : (values.style as Style), target };
}
