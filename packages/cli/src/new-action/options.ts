import { flag, parseCommandLine, usage } from '@owkit/host/command-line';
import { usageError } from '../errors.js';
import { isTemplateStyle, TEMPLATE_STYLES, type TemplateStyle } from '../styles.js';

export const newActionOptionSpecs = {
  style: {
    flag: 'style',
    default: '',
    description: `How the action runs: ${TEMPLATE_STYLES.join(', ')} (the -web ones: a web app on the native style).`,
    parse: (raw: string) => {
      if (!isTemplateStyle(raw)) throw new Error(`expected one of ${TEMPLATE_STYLES.join(', ')}`);
      return raw as string;
    },
  },
  noInstall: flag(
    'no-install',
    'Skip the `pnpm install --prefer-offline` that links the new package into the workspace.',
  ),
  help: flag('help', 'Print this help.'),
};

export interface NewActionOptions {
  name: string;
  style: TemplateStyle;
  /** Link the new package with `pnpm install --prefer-offline` afterwards. */
  install: boolean;
  help: boolean;
}

export const NEW_ACTION_USAGE = usage(
  'pnpm new-action <name> --style <style> [--no-install]',
  newActionOptionSpecs,
  {
    text: `
Creates actions/<name> from templates/<style>, a hello action with one handler, its test and an
image test, renamed everywhere: package @owkit/<name>, image owkit/<name>:<style>, README and
deploy lines; a Go action is added to go.work. It builds and passes its tests at once: change
the handler and its test, keep the rest.
`,
  },
);

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): NewActionOptions {
  const { values, positionals } = parseCommandLine(newActionOptionSpecs, argv, env);
  const install = !values.noInstall;
  if (values.help) return { name: '', style: 'ts-native', install, help: true };
  const [name, extra] = positionals;
  if (name === undefined)
    throw usageError('name the new action, e.g. pnpm new-action hello --style ts-native');
  if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
  if (values.style === '') {
    throw usageError(`choose how it runs with --style ${TEMPLATE_STYLES.join('|')}`);
  }
  return { name, style: values.style as TemplateStyle, install, help: false };
}
