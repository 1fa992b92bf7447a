import { listenOptionSpecs, type OptionValues, parseOptionValues } from '@owkit/protocol/options';

/** The native runtime's options; the README's table is this list. */
export const runtimeOptionSpecs = listenOptionSpecs;

export type RuntimeOptions = OptionValues<typeof runtimeOptionSpecs>;

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RuntimeOptions {
  return parseOptionValues(runtimeOptionSpecs, argv, env);
}
