import { readFile } from 'node:fs/promises';
import { optionRows, optionsTable } from '@owkit/host/command-line';
import { describe, expect, it } from 'vitest';
import { DEV_USAGE, devOptionSpecs } from '../src/dev/options.js';
import * as cli from '../src/index.js';
import { INVOKE_USAGE, invokeOptionSpecs } from '../src/invoke/options.js';
import { NEW_ACTION_USAGE, newActionOptionSpecs } from '../src/new-action/options.js';
import { PACKAGE_USAGE, packageOptionSpecs } from '../src/package/options.js';

/** Table rows compared cell by cell: the formatter pads Markdown tables. */
describe('the README and the API', () => {
  it.each([
    ['invoke', invokeOptionSpecs],
    ['dev', devOptionSpecs],
    ['new-action', newActionOptionSpecs],
    ['package', packageOptionSpecs],
  ])('lists every option of %s as the code declares it', async (_command, specs) => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const readmeRows = optionRows(readme);
    const specRows = optionRows(optionsTable(specs));
    expect(specRows).toHaveLength(Object.keys(specs).length);
    for (const row of specRows) expect(readmeRows).toContainEqual(row);
  });

  it.each([
    ['invoke', INVOKE_USAGE, invokeOptionSpecs],
    ['dev', DEV_USAGE, devOptionSpecs],
    ['new-action', NEW_ACTION_USAGE, newActionOptionSpecs],
    ['package', PACKAGE_USAGE, packageOptionSpecs],
  ])(
    'prints --help of %s for a terminal: every flag, no Markdown table',
    (_command, help, specs) => {
      const lines = help.split('\n');
      expect(lines.filter((line) => line.startsWith('|'))).toEqual([]);
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
      for (const spec of Object.values(specs)) {
        expect(lines.some((line) => line.trimStart().startsWith(`--${spec.flag}`))).toBe(true);
      }
    },
  );

  it('exports these names', () => {
    expect(Object.keys(cli).sort()).toMatchInlineSnapshot(`
      [
        "CONTAINER_LABEL",
        "CONTAINER_PREFIX",
        "CliError",
        "EXIT",
        "STYLES",
        "activationLogs",
        "describeAction",
        "execZip",
        "failureLine",
        "findRepoRoot",
        "generateAction",
        "invoke",
        "invokeOptionSpecs",
        "isActionName",
        "isStyle",
        "listActions",
        "packageAction",
        "parseInvokeOptions",
        "renderReport",
      ]
    `);
  });
});

describe('the quick start', () => {
  it('is two commands, one for the bench and one for the tests, and CI runs that test command', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm run bench', 'npm test']);
    const ci = await readFile(new URL('../../../.ci/run', import.meta.url), 'utf8');
    expect(ci.split('\n').map((line) => line.trim())).toContain('npm test');
    const pkg = JSON.parse(
      await readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
    );
    expect(pkg.scripts.test).toMatch(/^node scripts\/bootstrap\.mjs turbo run /);
    expect(pkg.scripts.bench).toMatch(/^node scripts\/bootstrap\.mjs turbo run bench /);
  });
});
