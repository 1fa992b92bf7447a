import { copyFile, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BENCH_DIR } from '../paths.js';
import type { BenchResult } from '../result.js';
import { renderCharts } from './charts.js';
import { renderMarkdown } from './markdown.js';

/** The committed report the README links to; only `--publish` writes here. */
export const PUBLISHED_DIR = resolve(BENCH_DIR, 'results');

export const RUN_FILES = { result: 'result.json', report: 'report.md' } as const;
export const PUBLISHED_FILES = { result: 'latest.json', report: 'latest.md' } as const;

export interface WrittenFiles {
  runDir: string;
  resultFile: string;
  report: string;
  charts: string[];
  /** The committed copies, when published. */
  published: string[];
}

/** `2026-11-29T07-41-05Z`: sortable and safe in any file system. */
export function runFolderName(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** Points `<runsDir>/latest` at the run folder (relative, so the tree can move). */
export async function pointLatest(runsDir: string, folder: string): Promise<void> {
  const link = join(runsDir, 'latest');
  await rm(link, { force: true, recursive: false });
  await symlink(folder, link);
}

/** The run folders under `runsDir`, oldest first (their names sort by time). */
export async function listRuns(runsDir: string): Promise<string[]> {
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && /^\d{4}-\d\d-\d\dT/.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Writes the run into `<runsDir>/<UTC time>/` (result.json, report.md, the charts) and points
 * `latest` at it. With `publish`, also copies it over the committed report.
 */
export async function writeResults(
  result: BenchResult,
  runsDir: string,
  options: { publish?: boolean; publishDir?: string } = {},
): Promise<WrittenFiles> {
  const folder = runFolderName(result.startedAt);
  const runDir = join(runsDir, folder);
  await mkdir(runDir, { recursive: true });
  const resultFile = join(runDir, RUN_FILES.result);
  await writeFile(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = renderMarkdown(result, RUN_FILES.result);
  const report = join(runDir, RUN_FILES.report);
  await writeFile(report, markdown);
  const charts: string[] = [];
  const svgs = await renderCharts(result);
  for (const [file, svg] of svgs) {
    const path = join(runDir, file);
    await writeFile(path, svg);
    charts.push(path);
  }
  await pointLatest(runsDir, folder);
  const published: string[] = [];
  if (options.publish === true) {
    const dir = options.publishDir ?? PUBLISHED_DIR;
    await mkdir(dir, { recursive: true });
    const json = join(dir, PUBLISHED_FILES.result);
    await copyFile(resultFile, json);
    const md = join(dir, PUBLISHED_FILES.report);
    await writeFile(md, renderMarkdown(result, PUBLISHED_FILES.result));
    published.push(json, md);
    for (const [file, svg] of svgs) {
      const path = join(dir, file);
      await writeFile(path, svg);
      published.push(path);
    }
  }
  return { runDir, resultFile, report, charts, published };
}
