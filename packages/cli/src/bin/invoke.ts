import { EXIT } from '../errors.js';
import { invoke } from '../invoke/invoke.js';
import { INVOKE_USAGE, parseOptions } from '../invoke/options.js';
import { failureLine, renderReport } from '../invoke/render.js';
import { findRepoRoot } from '../repo.js';
import { runCommand } from './run-command.js';

await runCommand('invoke', async ({ signal, progress }) => {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(INVOKE_USAGE);
    return EXIT.ok;
  }
  const report = await invoke(options, { root: findRepoRoot(), progress, signal });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  const failure = failureLine(report);
  if (failure === undefined) return EXIT.ok;
  process.stderr.write(`invoke: ${failure}\n`);
  return EXIT.failed;
});
