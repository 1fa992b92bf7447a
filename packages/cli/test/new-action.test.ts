import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailableSync } from '@owkit/host/docker';
import { freePort } from '@owkit/host/ports';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dev } from '../src/dev/dev.js';
import { parseOptions as parseDevOptions } from '../src/dev/options.js';
import { CliError } from '../src/errors.js';
import { invoke } from '../src/invoke/invoke.js';
import { parseOptions as parseInvokeOptions } from '../src/invoke/options.js';
import { generateAction, REQUIRED_SCRIPTS } from '../src/new-action/generate.js';
import { withUse } from '../src/new-action/go-work.js';
import {
  isGoStyle,
  runStyleOf,
  STYLES,
  type Style,
  type TemplateStyle,
  templateOf,
} from '../src/styles.js';
import { leftoverContainers, REPO_ROOT, removeImages, runBin } from './fixtures.js';

/**
 * A scratch workspace holding only what a generated action reaches outside its own folder: the
 * Go runtime (through go.work), the proxy (for --process), the lint config. node_modules come
 * from the template itself, which has the same dependencies, so no install is needed.
 */
let workspace: string;
const probe = randomBytes(3).toString('hex');
const nameOf = (style: Style | 'ts-web' | 'go-web') =>
  `probe-${probe}-${style.replace('go-', 'g')}`;
const images: string[] = [];

/**
 * Without an engine a user's new action still builds, lints and passes its own tests (its image
 * tests skip, each saying why), and answers as a local process: that is what these tests check
 * then. CI has an engine, and must never pass by not testing.
 */
const withDocker = dockerAvailableSync();
if (!withDocker) {
  if (process.env.CI === 'true')
    throw new Error('CI=true but no Docker engine answers `docker info`');
  console.warn('new-action: no Docker engine answers, so the new actions run with --process');
}
const runFlags = withDocker ? [] : ['--process'];

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'owkit-new-action-'));
  await mkdir(join(workspace, 'packages'));
  for (const pkg of ['runtime-go', 'sdk-proxy']) {
    await symlink(join(REPO_ROOT, 'packages', pkg), join(workspace, 'packages', pkg));
  }
  await writeFile(join(workspace, 'go.work'), 'go 1.24\n\nuse (\n\t./packages/runtime-go\n)\n');
  const biome = JSON.parse(await readFile(join(REPO_ROOT, 'biome.json'), 'utf8'));
  await writeFile(
    join(workspace, 'biome.json'),
    JSON.stringify({ ...biome, vcs: { enabled: false } }),
  );
});

afterAll(async () => {
  await removeImages(...images);
  if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
});

async function allFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (['node_modules', 'bin', 'dist'].includes(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(full, base)));
    else out.push(full.slice(base.length + 1));
  }
  return out.sort();
}

/**
 * Runs a package.json script as pnpm would, without pnpm (which would want to install first):
 * the package's node_modules/.bin, then the workspace root's, on PATH.
 */
async function runScript(dir: string, script: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const command = pkg.scripts[script] as string;
  const result = await execa('sh', ['-c', command], {
    cwd: dir,
    reject: false,
    all: true,
    stdin: 'ignore',
    env: {
      PATH: [
        join(dir, 'node_modules', '.bin'),
        join(REPO_ROOT, 'node_modules', '.bin'),
        process.env.PATH,
      ].join(':'),
    },
  });
  if (result.exitCode !== 0) {
    throw new Error(`${script} (${command}) failed in ${dir}:\n${result.all}`);
  }
}

/** What a user changes first: the greeting, one line in the handler's file. */
const GREETING_LINE: Record<'ts' | 'go', { file: string; from: string; to: string }> = {
  ts: { file: 'src/greet.ts', from: "GREETING = 'hello'", to: "GREETING = 'howdy'" },
  go: { file: 'greet.go', from: 'greeting = "hello"', to: 'greeting = "howdy"' },
};

/** actions/<name> from a template in the scratch workspace, using the template's node_modules. */
async function generate(name: string, style: TemplateStyle): Promise<string> {
  const generated = await generateAction({
    name,
    style,
    templatesRoot: REPO_ROOT,
    workspaceRoot: workspace,
  });
  expect(generated.image).toBe(`owkit/${name}:${runStyleOf(style)}`);
  images.push(generated.image);
  const template = join(REPO_ROOT, templateOf(style).folder);
  await symlink(join(template, 'node_modules'), join(generated.dir, 'node_modules'));
  return generated.dir;
}

/**
 * What the renaming must leave: the package and its image under the new name, a README that
 * starts with it and gives `commands`, and no trace of the template but the README's note.
 */
async function expectRenamed(
  dir: string,
  name: string,
  style: TemplateStyle,
  commands: readonly string[],
): Promise<void> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  expect(pkg.name).toBe(`@owkit/${name}`);
  expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining([...REQUIRED_SCRIPTS]));
  expect(pkg.scripts.image).toContain(`owkit-image owkit/${name}:${runStyleOf(style)} `);
  const readme = await readFile(join(dir, 'README.md'), 'utf8');
  expect(readme.split('\n')[0]).toBe(`# ${name}`);
  expect(readme).toContain(`> Created with \`pnpm new-action ${name} --style ${style}\``);
  for (const command of commands) expect(readme).toContain(command);
  for (const file of await allFiles(dir)) {
    // Only the README's note on where the action came from names its template.
    const text = (await readFile(join(dir, file), 'utf8')).replace(/^> Created with .*$/m, '');
    expect([file, /template/i.test(text)]).toEqual([file, false]);
  }
}

/** The user's one-line change, then every script of the new package, as turbo would run them. */
async function changeAndBuild(
  dir: string,
  edit: { file: string; from: string; to: string },
): Promise<void> {
  const source = join(dir, edit.file);
  const before = await readFile(source, 'utf8');
  expect(before).toContain(edit.from);
  await writeFile(source, before.replace(edit.from, edit.to));
  for (const script of ['build', 'image', 'typecheck', 'lint', 'test']) {
    await runScript(dir, script);
  }
}

describe.each(STYLES)('pnpm new-action --style %s', (style) => {
  const name = nameOf(style);
  let dir: string;

  beforeAll(async () => {
    dir = await generate(name, style);
  });

  it('renames the package, its image, its README and its deploy lines, wired for turbo', async () => {
    await expectRenamed(dir, name, style, [
      `pnpm invoke ${name} --param name=Ada`,
      `wsk action create ${name} --docker $REGISTRY/${name}:${style}-$VERSION`,
    ]);
  });

  it('has only the commands that work for its style', async () => {
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme.includes('pnpm package')).toBe(style === 'go-blackbox');
    expect(readme).not.toMatch(/payload|reverse|three images/);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.description).not.toMatch(/three|reverse/);
  });

  if (isGoStyle(style)) {
    it('is a Go module of its own, linked to the runtime by the workspace go.work', async () => {
      const goMod = await readFile(join(dir, 'go.mod'), 'utf8');
      expect(goMod).toContain(`module github.com/owkit/owkit/actions/${name}\n`);
      expect(goMod).not.toMatch(/^replace/m);
      const goWork = await readFile(join(workspace, 'go.work'), 'utf8');
      expect(goWork).toContain(`\t./actions/${name}\n`);
    });
  }

  // A cold Go build cache (a fresh user, a fresh CI machine) makes the first style take minutes.
  it('builds, images, typechecks, lints, passes its tests and answers pnpm invoke after a one-line change', async () => {
    await changeAndBuild(dir, GREETING_LINE[isGoStyle(style) ? 'go' : 'ts']);
    const report = await invoke(
      parseInvokeOptions([name, '--param', 'name=Ada', ...runFlags], {}),
      {
        root: workspace,
        progress: () => undefined,
      },
    );
    expect([report.style, report.mode, report.activations.map((a) => a.result)]).toEqual([
      style,
      withDocker ? 'container' : 'process',
      [{ greeting: 'howdy, Ada' }],
    ]);
    if (withDocker) expect(await leftoverContainers()).toEqual([]);
  }, 400_000);
});

/** What a user changes first in a web template: the greeting, one line in the app's file. */
const WEB_GREETING_LINE = {
  'ts-web': { file: 'src/app.ts', from: "GREETING = 'hello'", to: "GREETING = 'howdy'" },
  'go-web': { file: 'app.go', from: 'greeting = "hello"', to: 'greeting = "howdy"' },
} as const;

describe.each(['ts-web', 'go-web'] as const)('pnpm new-action --style %s', (style) => {
  const name = nameOf(style);
  const runStyle = runStyleOf(style);
  let dir: string;

  beforeAll(async () => {
    dir = await generate(name, style);
  });

  it('renames the package, its image (a native style), its README and its deploy lines', async () => {
    await expectRenamed(dir, name, style, [
      `pnpm dev ${name}`,
      `wsk action create ${name} --docker $REGISTRY/${name}:${runStyle}-$VERSION --web true`,
    ]);
    if (isGoStyle(runStyle)) {
      const goWork = await readFile(join(workspace, 'go.work'), 'utf8');
      expect(goWork).toContain(`\t./actions/${name}\n`);
    }
  });

  it('builds, images, typechecks, lints, passes its tests and answers through pnpm dev after a one-line change', async () => {
    await changeAndBuild(dir, WEB_GREETING_LINE[style]);
    const port = await freePort();
    const stop = new AbortController();
    let answer: unknown;
    await dev(parseDevOptions([name, '--port', String(port), ...runFlags], {}), {
      root: workspace,
      progress: () => undefined,
      print: () => undefined,
      signal: stop.signal,
      onListening: (url) => {
        fetch(`${url}api/greet?name=Ada`)
          .then((response) => response.json())
          .then(
            (json: unknown) => {
              answer = json;
            },
            (error: unknown) => {
              answer = error;
            },
          )
          .finally(() => stop.abort());
      },
    });
    expect(answer).toEqual({ greeting: 'howdy, Ada' });
    if (withDocker) expect(await leftoverContainers()).toEqual([]);
  }, 400_000);
});

describe('go.work', () => {
  it('gets a new module in its use block, sorted, once', () => {
    const text = 'go 1.24\n\nuse (\n\t./actions/b\n\t./packages/runtime-go\n)\n';
    const added = withUse(text, './actions/a');
    expect(added).toBe(
      'go 1.24\n\nuse (\n\t./actions/a\n\t./actions/b\n\t./packages/runtime-go\n)\n',
    );
    expect(withUse(added, './actions/a')).toBe(added);
  });
});

describe('pnpm new-action refuses', () => {
  it.each(['Hello', 'hello_world', '-hello', 'hello-', 'a--b', 'héllo', ''])(
    'the invalid name %j',
    async (name) => {
      const error = await generateAction({
        name,
        style: 'ts-native',
        templatesRoot: REPO_ROOT,
        workspaceRoot: workspace,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toMatch(/is not a valid action name: use lowercase/);
    },
  );

  it('an existing folder, in one line with exit code 2, writing nothing', async () => {
    const before = await allFiles(join(REPO_ROOT, 'actions', 'reverse-string'));
    const result = await runBin('new-action', [
      'reverse-string',
      '--style',
      'go-native',
      '--no-install',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'new-action: actions/reverse-string already exists: pick another name, or remove that folder first',
    );
    expect(await allFiles(join(REPO_ROOT, 'actions', 'reverse-string'))).toEqual(before);
  });

  it('an invalid name from the command line, creating no folder', async () => {
    const result = await runBin('new-action', ['Bad_Name', '--style', 'ts-native', '--no-install']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(existsSync(join(REPO_ROOT, 'actions', 'Bad_Name'))).toBe(false);
  });
});
