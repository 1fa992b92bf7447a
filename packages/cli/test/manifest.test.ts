import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  packages: Record<string, { actions: Record<string, ManifestAction> }>;
};
const actions = Object.values(manifest.packages).flatMap((pkg) => Object.values(pkg.actions));

describe('manifest.yaml', () => {
  it('deploys the four images, each one the image its action folder builds', () => {
    const declared = listActions(REPO_ROOT)
      .filter((action) => action.name.startsWith('reverse-string'))
      .flatMap((action) => action.styles.map((style) => style.image));
    const images = actions.flatMap((action) =>
      action.docker === undefined ? [] : [action.docker],
    );
    expect(images.sort()).toEqual(STYLES.map((style) => `owkit/reverse-string:${style}`).sort());
    expect(images.sort()).toEqual(declared.sort());
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
