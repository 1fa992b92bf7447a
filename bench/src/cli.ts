#!/usr/bin/env node
// `pnpm bench [--quick] [--variants a,b] …`: measure, write a run folder, print the summary.
// `pnpm bench compare A.json B.json`: two runs side by side.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CleanupList } from './cleanup.js';
import { compareRuns, readResult, renderComparison } from './compare-runs.js';
import { removeBenchContainers } from './docker.js';
import { EXIT, exitCodeFor, exitMeaning } from './exit.js';
import { optionsHelpText, parseOptions, UsageError } from './options.js';
import { REPO_DIR } from './paths.js';
import { Progress } from './progress.js';
import { renderSummary } from './report/summary.js';
import { writeResults } from './report/write.js';
import { runBench } from './run.js';

/** turbo runs the bench in bench/; a path typed at the repository root is found there too. */
function locate(path: string): string {
  if (isAbsolute(path)) return path;
  const here = resolve(path);
  return existsSync(here) ? here : resolve(REPO_DIR, path);
}

async function compare(args: string[]): Promise<number> {
  const paths = args.filter((arg) => arg !== '--');
  if (paths.length !== 2) {
    throw new UsageError('usage: pnpm bench compare A.json B.json (two result files)');
  }
  const [a, b] = paths.map(locate) as [string, string];
  const figures = compareRuns(await readResult(a), await readResult(b));
  process.stdout.write(renderComparison(a, b, figures));
  return figures.some((f) => f.changed) ? 1 : 0;
}

async function measure(argv: string[]): Promise<number> {
  const options = parseOptions(argv, process.env);
  if (options.help) {
    process.stdout.write(optionsHelpText());
    return EXIT.ok;
  }
  const progress = new Progress(process.stdout);
  const cleanup = new CleanupList();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: while a listener of ours stays, execa's exit hook lets the process live
    // until the cleanup is done instead of re-raising the signal at once.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      progress.line(`${signal}: stopping the servers, the registry, the throw-away engine`);
      void cleanup
        .runAll((error) => progress.line(`!! ${String(error)}`))
        .then(() => removeBenchContainers())
        .catch((error: unknown) => progress.line(`!! ${String(error)}`))
        .finally(() => process.exit(130));
    });
  }
  progress.line(
    `owkit bench, ${options.quick ? 'quick' : 'full'} profile: ${options.repeats} rounds of cached cold starts, ${options.pullRepeats} pulls per kind, ${options.burstRepeats} burst(s) of ${options.burstSize} (Docker only); ${options.rounds} throughput rounds of ${options.durationSeconds} s at ${options.connections.join(', ')} connection(s)${options.untilStablePercent === null ? '' : `, then more until every goal's interval is within ${options.untilStablePercent} % (at most ${options.untilStableCapSeconds} s)`}`,
  );
  const result = await runBench(options, progress, cleanup);
  const files = await writeResults(result, options.outDir, { publish: options.publish });
  process.stdout.write(`\n${renderSummary(result)}\n`);
  if (result.runtime === 'process') {
    process.stdout.write(`runtime: LOCAL PROCESSES (${result.runtimeReason})\n`);
  }
  process.stdout.write(
    `wrote ${files.runDir}/ (result.json, report.md, charts); ${resolve(options.outDir, 'latest')} points to it\n`,
  );
  if (files.published.length > 0) {
    process.stdout.write(`published ${files.published.join('\n          ')}\n`);
  }
  const failed = result.variants.filter((v) => v.status === 'failed').map((v) => v.name);
  const failedPhases = result.phases.filter((p) => p.status === 'failed').map((p) => p.phase);
  if (failed.length + failedPhases.length > 0) {
    process.stdout.write(`FAILED: ${[...failed, ...failedPhases].join(', ')}\n`);
  }
  const code = exitCodeFor(result);
  progress.line(
    `total elapsed ${(progress.elapsedMs() / 1000).toFixed(1)} s; exit code ${code}: ${exitMeaning(code)}`,
  );
  return code;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const [first, ...rest] = argv.filter((arg) => arg !== '--');
  if (first === 'compare') return compare(rest);
  return measure(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof UsageError
        ? `${error.message}\n`
        : `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.measurementFailed;
  },
);
