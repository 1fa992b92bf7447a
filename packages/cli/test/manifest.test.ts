import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VARIANTS } from '@owkit/host/variants';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listActions } from '../src/actions.js';
import { STYLES } from '../src/styles.js';
import { REPO_ROOT } from './fixtures.js';

interface ManifestAction {
  docker?: string;
  native?: boolean;
  function?: string;
  limits?: { timeout?: number; memorySize?: number };
}

const manifest = parse(await readFile(join(REPO_ROOT, 'manifest.yaml'), 'utf8')) as {
  packages: Record<string, { version: string; actions: Record<string, ManifestAction> }>;
};
const packages = Object.values(manifest.packages);
const actions = packages.flatMap((pkg) => Object.values(pkg.actions));

describe('manifest.yaml', () => {
  it('deploys the variants of the manifest of variants that name a deploy action, by those names', () => {
    const [pkg] = packages;
    const deployed = Object.entries(pkg?.actions ?? {}).flatMap(([name, action]) =>
      action.docker === undefined ? [] : [[name, action.docker]],
    );
    expect(deployed.sort()).toEqual(
      VARIANTS.flatMap((variant) =>
        variant.deploy === undefined ? [] : [[variant.deploy, `${variant.image}-${pkg?.version}`]],
      ).sort(),
    );
  });

  it('deploys the four reverse-string images as the tags the push loop of docs/deploy.md publishes', () => {
    const version = packages[0]?.version;
    const images = actions.flatMap((action) =>
      action.docker === undefined ? [] : [action.docker],
    );
    expect(images.sort()).toEqual(
      STYLES.map((style) => `owkit/reverse-string:${style}-${version}`).sort(),
    );
    // Every entry, an added action's too: an image some action folder builds, plus -<version>.
    const built = listActions(REPO_ROOT).flatMap((action) => action.styles.map((s) => s.image));
    for (const image of images) {
      expect(built).toContain(image.slice(0, -`-${version}`.length));
    }
  });

  it('is deployed from the very tags the push loop of docs/deploy.md publishes', async () => {
    const deploy = await readFile(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    const blocks = [...deploy.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const pushLoop = blocks.find((block) => block.startsWith('REGISTRY='));
    const sedLine = blocks
      .flatMap((block) => block.split('\n'))
      .find((line) => line.startsWith('sed ') && line.includes('> deploy.yaml'));
    expect(pushLoop).toBeDefined();
    expect(sedLine).toBeDefined();
    // The docs' own shell, with a docker that only says what it would do.
    const script = [
      'docker() { echo "$*"; }',
      pushLoop,
      `${sedLine?.replace('> deploy.yaml', '').replace(/#.*$/, '')}`,
    ].join('\n');
    const { stdout } = await execa('bash', ['-euc', script], { cwd: REPO_ROOT });
    const pushed = stdout
      .split('\n')
      .filter((line) => line.startsWith('push '))
      .map((line) => line.slice('push '.length));
    const deployed = parse(
      stdout
        .split('\n')
        .filter((line) => !/^(tag|push) /.test(line))
        .join('\n'),
    );
    const images = Object.values(deployed.packages as Record<string, { actions: object }>)
      .flatMap((pkg) => Object.values(pkg.actions) as ManifestAction[])
      .flatMap((action) => (action.docker === undefined ? [] : [action.docker]));
    expect(pushed).toHaveLength(4);
    expect(images.sort()).toEqual(pushed.sort());
    expect(pushed.every((tag) => tag.startsWith('registry.example.com/myteam/'))).toBe(true);
  });

  it('deploys the Go binary as a native zip at the path pnpm package writes', () => {
    const native = actions.filter((action) => action.native === true);
    expect(native).toHaveLength(1);
    expect(native[0]?.function).toBe('actions/reverse-string-go/dist/exec.zip');
    expect(native[0]?.docker).toBeUndefined();
  });

  it('gives every action limits within the platform defaults', () => {
    for (const action of actions) {
      expect(action.limits?.timeout).toBeGreaterThanOrEqual(100);
      expect(action.limits?.timeout).toBeLessThanOrEqual(300_000);
      expect(action.limits?.memorySize).toBeGreaterThanOrEqual(128);
      expect(action.limits?.memorySize).toBeLessThanOrEqual(2_048);
    }
  });
});
