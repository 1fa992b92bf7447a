import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readSource } from '../src/environment.js';
import { REPO_DIR } from '../src/paths.js';

describe('readSource', () => {
  it("names the checkout's commit and whether it has uncommitted changes", async () => {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const source = await readSource();
    expect(source.gitCommit).toBe(git('rev-parse', 'HEAD'));
    expect(source.gitDirty).toBe(git('status', '--porcelain') !== '');
  });
});
