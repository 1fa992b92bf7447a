import { UsageError } from '@owkit/host/command-line';
import { CliError, EXIT } from '../errors.js';

export interface CommandContext {
  /** Aborted on the first Ctrl-C or SIGTERM: the command cleans up and returns. */
  signal: AbortSignal;
  /** A progress line on stderr, so stdout holds only the command's output. */
  progress(line: string): void;
}

/**
 * The one place a command's errors become output and an exit code. The first Ctrl-C aborts the
 * command so that it removes what it started; a second one exits at once.
 */
export async function runCommand(
  name: string,
  body: (context: CommandContext) => Promise<number>,
): Promise<void> {
  const controller = new AbortController();
  const interrupt = (signalName: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`${name}: ${signalName}: cleaning up …\n`);
    controller.abort(new CliError(`interrupted by ${signalName}`, { exitCode: EXIT.interrupted }));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let code: number;
  try {
    code = await body({
      signal: controller.signal,
      progress: (line) => process.stderr.write(`${name}: ${line}\n`),
    });
  } catch (error) {
    code = report(name, controller.signal.aborted ? controller.signal.reason : error);
  }
  process.exitCode = code;
}

function report(name: string, error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`${name}: ${error.message}\n`);
    if (error.detail !== undefined && error.detail !== '') process.stderr.write(`${error.detail}\n`);
    return error.exitCode;
  }
  process.stderr.write(`${name}: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
  return EXIT.failed;
}
