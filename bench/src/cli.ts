#!/usr/bin/env node
// `pnpm bench [--quick] [--variants a,b] …`: measure, write results/, print the summary.
import { CleanupList } from './cleanup.js';
import { removeBenchContainers } from './docker.js';
import { OptionsError, optionsHelp, parseOptions } from './options.js';
import { Progress } from './progress.js';
import { renderSummary } from './report/summary.js';
import { writeResults } from './report/write.js';
import { runBench } from './run.js';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`pnpm bench [options]\n\n${optionsHelp()}\n`);
    return 0;
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
      progress.line(`${signal}: stopping the registry, the throw-away engine and containers`);
      void cleanup
        .runAll((error) => progress.line(`!! ${String(error)}`))
        .then(() => removeBenchContainers())
        .catch((error: unknown) => progress.line(`!! ${String(error)}`))
        .finally(() => process.exit(130));
    });
  }
  progress.line(
    `owkit bench, ${options.quick ? 'quick' : 'full'} profile: ${options.repeats} cached + ${options.pullRepeats} pulled (Docker only) cold starts per variant, ${options.durationSeconds} s of load at ${options.connections.join(', ')} connection(s)`,
  );
  const result = await runBench(options, progress, cleanup);
  const files = await writeResults(result, options.outDir);
  process.stdout.write(`\n${renderSummary(result)}\n`);
  if (result.runtime === 'process') {
    process.stdout.write(`runtime: LOCAL PROCESSES (${result.runtimeReason})\n`);
  }
  process.stdout.write(
    `wrote ${files.resultFile}\n      ${files.latestMarkdown}\n      ${files.charts.join('\n      ')}\n`,
  );
  const failed = result.variants.filter((v) => v.status === 'failed').map((v) => v.name);
  if (failed.length > 0) process.stdout.write(`FAILED: ${failed.join(', ')}\n`);
  progress.line(`total elapsed ${(progress.elapsedMs() / 1000).toFixed(1)} s`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof OptionsError
        ? `${error.message}\n\n${optionsHelp()}\n`
        : `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = error instanceof OptionsError ? 2 : 1;
  },
);
