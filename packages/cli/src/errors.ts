/** Exit codes of the commands: bad input is told apart from a failed run. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;

/**
 * A failure the user can act on. `message` is one line that says what went wrong and what to do;
 * `detail` (a log tail, a build's output) is printed after it.
 */
export class CliError extends Error {
  readonly exitCode: number;
  readonly detail: string | undefined;

  constructor(
    message: string,
    options: { exitCode?: number; detail?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT.failed;
    this.detail = options.detail;
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, { exitCode: EXIT.usage });
}
