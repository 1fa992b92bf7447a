import { relative } from 'node:path';
import { EXIT } from '../errors.js';
import { PACKAGE_USAGE, parseOptions } from '../package/options.js';
import { packageAction } from '../package/package.js';
import { findRepoRoot, userCwd } from '../repo.js';
import { runCommand } from './run-command.js';

await runCommand('package', async ({ signal, progress }) => {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(PACKAGE_USAGE);
    return EXIT.ok;
  }
  const packaged = await packageAction(options, findRepoRoot(), progress, signal);
  const shown = relative(userCwd(process.env), packaged.path) || packaged.path;
  process.stdout.write(
    `${shown}: ${packaged.zipBytes} bytes (exec: ${packaged.binaryBytes} bytes, mode 0755)\n` +
      `deploy: wsk action create ${options.action} --native ${shown}\n`,
  );
  return EXIT.ok;
});
