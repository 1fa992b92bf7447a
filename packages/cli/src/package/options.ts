import { resolve } from 'node:path';
import { flag, parseCommandLine, usage } from '@owkit/host/command-line';
import { usageError } from '../errors.js';
import { userCwd } from '../repo.js';

export const packageOptionSpecs = {
  out: {
    flag: 'out',
    default: '',
    description: 'Where to write the zip; `actions/<action>/dist/exec.zip` when omitted.',
    parse: (raw: string) => raw,
  },
  build: flag('build', 'Rebuild the binary even if it exists.'),
  help: flag('help', 'Print this help.'),
};

export interface PackageOptions {
  action: string;
  /** Absolute path, or undefined for the default. */
  out: string | undefined;
  build: boolean;
  help: boolean;
}

export const PACKAGE_USAGE = usage(
  'pnpm package <action> [--out path/exec.zip] [--build]',
  packageOptionSpecs,
  {
    text: `
Zips a go-blackbox action's binary as exec (mode 0755) for the stock dockerskeleton image:
  wsk action create <name> --native actions/<action>/dist/exec.zip
Other styles deploy as images (--docker): see docs/deploy.md.
`,
  },
);

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): PackageOptions {
  const { values, positionals } = parseCommandLine(packageOptionSpecs, argv, env);
  const out = values.out === '' ? undefined : resolve(userCwd(env), values.out);
  if (values.help) return { action: '', out, build: values.build, help: true };
  const [action, extra] = positionals;
  if (action === undefined)
    throw usageError('name the action folder, e.g. pnpm package reverse-string-go');
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
  return { action, out, build: values.build, help: false };
}
