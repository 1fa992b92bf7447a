import { listenOptionSpecs, type OptionValues, parseOptionsOnly } from '@owkit/host/command-line';

/** The native runtime's options; the `--help` table is this list. */
export const runtimeOptionSpecs = listenOptionSpecs;

export type RuntimeOptions = OptionValues<typeof runtimeOptionSpecs>;

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RuntimeOptions {
  return parseOptionsOnly(runtimeOptionSpecs, argv, env);
}
