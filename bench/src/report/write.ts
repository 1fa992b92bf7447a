import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResult } from '../result.js';
import { renderCharts } from './charts.js';
import { renderMarkdown } from './markdown.js';

export interface WrittenFiles {
  resultFile: string;
  latestJson: string;
  latestMarkdown: string;
  charts: string[];
}

/** `2026-11-29T07-41-05Z`: sortable and safe in any file system. */
export function timestampName(iso: string): string {
  return `${iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.json`;
}

export async function writeResults(result: BenchResult, outDir: string): Promise<WrittenFiles> {
  await mkdir(outDir, { recursive: true });
  const resultFile = join(outDir, timestampName(result.startedAt));
  await writeFile(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  const latestJson = join(outDir, 'latest.json');
  await copyFile(resultFile, latestJson);
  const latestMarkdown = join(outDir, 'latest.md');
  await writeFile(latestMarkdown, renderMarkdown(result));
  const charts: string[] = [];
  for (const [file, svg] of await renderCharts(result)) {
    const path = join(outDir, file);
    await writeFile(path, svg);
    charts.push(path);
  }
  return { resultFile, latestJson, latestMarkdown, charts };
}
