import { type OptionValues, parseOptionValues, port } from './core/index.js';

/** The native runtime's options; the README's table is this list. */
export const runtimeOptionSpecs = {
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

export type RuntimeOptions = OptionValues<typeof runtimeOptionSpecs>;

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RuntimeOptions {
  return parseOptionValues(runtimeOptionSpecs, argv, env);
}
