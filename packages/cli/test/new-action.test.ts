import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/errors.js';
import { generateAction, REQUIRED_SCRIPTS } from '../src/new-action/generate.js';
import { goKind, isGoStyle, STYLES, type Style, TEMPLATE_ACTION } from '../src/styles.js';
import { REPO_ROOT, removeImages, runBin } from './fixtures.js';

/**
 * A scratch workspace holding only what a generated action reaches outside its own folder: the
 * Go runtime (its go.mod's replace path) and the lint config. node_modules come from the
 * template itself, which has the same dependencies, so no install is needed.
 */
let workspace: string;
const probe = randomBytes(3).toString('hex');
const nameOf = (style: Style) => `probe-${probe}-${style.replace('go-', 'g')}`;
const images: string[] = [];

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'owkit-new-action-'));
  await mkdir(join(workspace, 'packages'));
  await symlink(
    join(REPO_ROOT, 'packages', 'runtime-go'),
    join(workspace, 'packages', 'runtime-go'),
  );
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
    if (entry.name === 'node_modules') continue;
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

describe.each(STYLES)('pnpm new-action --style %s', (style) => {
  const name = nameOf(style);
  let dir: string;

  beforeAll(async () => {
    const generated = await generateAction({
      name,
      style,
      templatesRoot: REPO_ROOT,
      workspaceRoot: workspace,
    });
    dir = generated.dir;
    expect(generated.image).toBe(`owkit/${name}:${style}`);
    images.push(generated.image);
    const template = join(REPO_ROOT, 'actions', TEMPLATE_ACTION[style]);
    await symlink(join(template, 'node_modules'), join(dir, 'node_modules'));
  });

  it('renames the package, its images and its README, wired for turbo', async () => {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe(`@owkit/${name}`);
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining([...REQUIRED_SCRIPTS]));
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toMatch(new RegExp(`^# ${name} \\(`));
    for (const file of await allFiles(dir)) {
      // Only the README's note on where the action came from names its template.
      const text = (await readFile(join(dir, file), 'utf8')).replace(/^> Created with .*$/m, '');
      expect([file, text.includes('reverse-string')]).toEqual([file, false]);
    }
    const sources = await Promise.all(
      (await allFiles(dir))
        .filter((file) => /^(?:scripts|test)\//.test(file))
        .map((file) => readFile(join(dir, file), 'utf8')),
    );
    expect(sources.join('\n')).toContain(`owkit/${name}:${style}`);
  });

  if (isGoStyle(style)) {
    it('keeps only its own entry point, with the module path renamed and the replace intact', async () => {
      const kind = goKind(style);
      const files = await allFiles(dir);
      expect(files.filter((file) => file.startsWith('cmd/'))).toEqual([`cmd/${kind}/main.go`]);
      expect(files.filter((file) => file.startsWith('Dockerfile'))).toEqual([`Dockerfile.${kind}`]);
      const goMod = await readFile(join(dir, 'go.mod'), 'utf8');
      expect(goMod).toContain(`module github.com/owkit/owkit/actions/${name}\n`);
      expect(goMod).toMatch(/=> \.\.\/\.\.\/packages\/runtime-go\s*$/m);
      const others = ['native', 'blackbox', 'actionloop'].filter((other) => other !== kind);
      for (const file of files.filter((f) => /^(?:scripts|test)\/|\.go$/.test(f))) {
        const text = await readFile(join(dir, file), 'utf8');
        for (const other of others) {
          expect([file, text.includes(`go-${other}`) || text.includes(`cmd/${other}`)]).toEqual([
            file,
            false,
          ]);
        }
      }
    });
  }

  it('builds, makes its image, typechecks, lints and passes its own tests at once', async () => {
    for (const script of ['build', 'image', 'typecheck', 'lint', 'test']) {
      await runScript(dir, script);
    }
    const { exitCode } = await execa('docker', ['image', 'inspect', `owkit/${name}:${style}`], {
      reject: false,
    });
    expect(exitCode).toBe(0);
  }, 120_000);
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
