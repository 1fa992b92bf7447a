import { mkdirSync, writeFileSync } from 'node:fs';
import { describeWithDocker } from '@owkit/testkit';
import { afterAll, expect, it } from 'vitest';
import { type SoakResult, soakImage, soakTable } from '../src/soak.js';
import { variants } from '../src/variants.js';

/**
 * `pnpm soak` sets OWKIT_SOAK=full: a minute per image, its figures written to results/ and
 * then copied into docs/reliability.md by scripts/soak-doc.mjs; no test run writes the docs.
 */
const full = process.env.OWKIT_SOAK === 'full';
const options = full
  ? { durationSeconds: 60, connections: 64, growthFromSecond: 10 }
  : { durationSeconds: 5, connections: 64, growthFromSecond: 1 };
const MAX_GROWTH_PERCENT = 10;

const results: SoakResult[] = [];

describeWithDocker(
  `soak: ${options.durationSeconds} s at ${options.connections} connections per image`,
  () => {
    for (const variant of variants) {
      it(`${variant.image}: no errors, every answer right, no process left behind${full ? `, RSS growth from second ${options.growthFromSecond} ≤ ${MAX_GROWTH_PERCENT} %` : ''}`, {
        timeout: (options.durationSeconds + 60) * 1000,
      }, async () => {
        const result = await soakImage(variant, options);
        results.push(result);
        console.log(
          `${variant.image}: ${result.requestsTotal} requests, ${Math.round(result.requestsPerSecondMean)} req/s, RSS ${(result.rssAtGrowthStartBytes / 2 ** 20).toFixed(1)} → ${(result.rssAtEndBytes / 2 ** 20).toFixed(1)} MiB (${result.rssGrowthPercent.toFixed(1)} %)`,
        );
        expect(result.requestsTotal).toBeGreaterThan(0);
        expect({
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
        }).toEqual({ errors: 0, timeouts: 0, non2xx: 0, mismatches: 0 });
        expect(result.processesAfter).toBe(result.processesBefore);
        expect(result.zombiesAfter).toBe(0);
        if (full) expect(result.rssGrowthPercent).toBeLessThanOrEqual(MAX_GROWTH_PERCENT);
      });
    }
  },
);

afterAll(() => {
  if (results.length === 0) return;
  const table = soakTable(results);
  console.log(table);
  if (!full) return;
  const resultsDir = new URL('../results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const record = {
    ranAt: new Date().toISOString(),
    node: process.version,
    options,
    maxGrowthPercent: MAX_GROWTH_PERCENT,
    results,
  };
  writeFileSync(new URL('soak.json', resultsDir), `${JSON.stringify(record, null, 2)}\n`);
  // The section of docs/reliability.md; `pnpm soak` copies it there (scripts/soak-doc.mjs).
  const caption = `_Run ${record.ranAt}, Node ${record.node}, ${options.durationSeconds} s at ${options.connections} connections per image, growth measured from second ${options.growthFromSecond} to the end (raw samples: packages/conformance/results/soak.json)._`;
  writeFileSync(new URL('soak.md', resultsDir), `${caption}\n\n${table}\n`);
});
