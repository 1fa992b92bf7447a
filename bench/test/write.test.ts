import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateGoals } from '../src/goals.js';
import { listRuns, runFolderName, writeResults } from '../src/report/write.js';
import { fixtureResult } from './fixtures/result.js';

const made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'owkit-bench-write-'));
  made.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

function result(startedAt: string) {
  const r = fixtureResult();
  r.startedAt = startedAt;
  r.goals = evaluateGoals(r);
  return r;
}

describe('results folder', () => {
  it('names run folders by UTC time, sortable and without colons', () => {
    expect(runFolderName('2026-11-29T07:00:05.123Z')).toBe('2026-11-29T07-00-05Z');
  });

  it('writes each run to its own folder and points latest at the newest', async () => {
    const runs = join(await tempDir(), 'runs');
    const published = await tempDir();
    const first = await writeResults(result('2026-12-01T10:00:00.000Z'), runs, {
      publishDir: published,
    });
    await writeResults(result('2026-12-01T11:00:00.000Z'), runs, { publishDir: published });
    expect(await listRuns(runs)).toEqual(['2026-12-01T10-00-00Z', '2026-12-01T11-00-00Z']);
    expect(await readlink(join(runs, 'latest'))).toBe('2026-12-01T11-00-00Z');
    expect((await readdir(first.runDir)).sort()).toEqual([
      'cold-start.svg',
      'report.md',
      'result.json',
      'size.svg',
      'throughput.svg',
    ]);
    const saved = JSON.parse(await readFile(join(runs, 'latest', 'result.json'), 'utf8'));
    expect(saved.startedAt).toBe('2026-12-01T11:00:00.000Z');
    // Without --publish the committed report is not touched.
    expect(await readdir(published)).toEqual([]);
  });

  it('--publish also copies the run over the committed report, linking its own JSON', async () => {
    const runs = join(await tempDir(), 'runs');
    const published = await tempDir();
    const files = await writeResults(result('2026-12-01T12:00:00.000Z'), runs, {
      publish: true,
      publishDir: published,
    });
    expect((await readdir(published)).sort()).toEqual([
      'cold-start.svg',
      'latest.json',
      'latest.md',
      'size.svg',
      'throughput.svg',
    ]);
    expect(files.published).toHaveLength(5);
    const md = await readFile(join(published, 'latest.md'), 'utf8');
    expect(md).toContain('[latest.json](latest.json)');
    const runMd = await readFile(join(files.runDir, 'report.md'), 'utf8');
    expect(runMd).toContain('[result.json](result.json)');
  });
});
