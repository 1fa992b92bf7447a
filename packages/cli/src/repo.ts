import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the nearest folder above `from` holding pnpm-workspace.yaml. */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/**
 * pnpm runs root scripts in the repo root; INIT_CWD is where the user typed the command, so
 * paths they give (`@params.json`, `--out`) are read from there.
 */
export function userCwd(env: Readonly<Record<string, string | undefined>>): string {
  return env.INIT_CWD ?? process.cwd();
}
