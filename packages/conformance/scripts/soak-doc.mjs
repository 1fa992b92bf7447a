#!/usr/bin/env node
/**
 * Copies the table of the last full soak (results/soak.md, which `pnpm soak` writes) into
 * docs/reliability.md between its soak markers, then formats the doc. The soak test itself
 * writes only under results/, so no test run changes the docs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const doc = `${root}docs/reliability.md`;
const section = readFileSync(new URL('../results/soak.md', import.meta.url), 'utf8');
const begin = '<!-- soak:begin -->';
const end = '<!-- soak:end -->';
const text = readFileSync(doc, 'utf8');
const at = text.indexOf(begin);
const until = text.indexOf(end);
if (at === -1 || until === -1) {
  console.error(`soak-doc: ${doc} has no ${begin} … ${end} section: put the markers back`);
  process.exit(1);
}
writeFileSync(doc, `${text.slice(0, at)}${begin}\n${section.trim()}\n${text.slice(until)}`);
execFileSync('pnpm', ['exec', 'biome', 'format', '--write', doc], { cwd: root, stdio: 'inherit' });
console.log(
  `soak-doc: docs/reliability.md has the soak of ${JSON.parse(readFileSync(new URL('../results/soak.json', import.meta.url), 'utf8')).ranAt}`,
);
