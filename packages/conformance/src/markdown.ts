import { execaSync } from 'execa';
import { repoRoot } from './variants.js';

/** Generated docs go through the repository's formatter, so `pnpm lint` stays clean after a run. */
export function formatMarkdown(path: string): void {
  execaSync('biome', ['format', '--write', path], {
    cwd: repoRoot,
    preferLocal: true,
    stdin: 'ignore',
  });
}
