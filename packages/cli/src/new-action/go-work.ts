import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';

/**
 * Adds a module folder to the workspace's go.work, as `go work use` would, without needing Go:
 * the action's go.mod requires the runtime by its module path, and go.work is what points that
 * path at packages/runtime-go.
 */
export async function addToGoWork(root: string, folder: string): Promise<void> {
  const path = join(root, 'go.work');
  if (!existsSync(path)) {
    throw new CliError(
      `${path} is missing: a Go action builds against the runtime through the repo's go.work; restore it from git, then run go work use ${folder}`,
    );
  }
  const text = await readFile(path, 'utf8');
  await writeFile(path, withUse(text, folder));
}

/** go.work's text with `folder` in its `use` block, kept sorted; unchanged if already there. */
export function withUse(text: string, folder: string): string {
  const block = /^use \(\n([\s\S]*?)^\)/m.exec(text);
  if (block === null) return `${text.replace(/\n*$/, '\n')}\nuse ${folder}\n`;
  const entries = (block[1] as string).split('\n').filter((line) => line.trim() !== '');
  if (entries.some((line) => line.trim() === folder)) return text;
  const sorted = [...entries, `\t${folder}`].sort((a, b) => a.trim().localeCompare(b.trim()));
  const start = block.index + 'use (\n'.length;
  return `${text.slice(0, start)}${sorted.join('\n')}\n${text.slice(block.index + block[0].length - 1)}`;
}
