/** A port that never accepted a connection before its deadline. */
export class PortTimeoutError extends Error {
  readonly port: number;
  readonly timeoutMs: number;

  constructor(port: number, timeoutMs: number, options?: ErrorOptions) {
    super(`127.0.0.1:${port} did not accept a connection within ${timeoutMs} ms`, options);
    this.name = 'PortTimeoutError';
    this.port = port;
    this.timeoutMs = timeoutMs;
  }
}

export interface StartErrorDetails {
  /** The exit code when it exited before listening; undefined when it ran but never listened. */
  exitCode?: number | null;
  /** What it printed before it was given up on. */
  stdout?: string;
  stderr?: string;
  /** Why the command could not be started at all (not found, not executable). */
  spawnFailure?: string;
  cause?: unknown;
}

/**
 * A process or container that did not come up. The message carries what it printed; the fields
 * let a tool say it in its own words (a log tail, a hint about `$PORT`).
 */
export class StartError extends Error {
  readonly exitCode: number | null | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnFailure: string | undefined;

  constructor(message: string, details: StartErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StartError';
    this.exitCode = details.exitCode;
    this.stdout = details.stdout ?? '';
    this.stderr = details.stderr ?? '';
    this.spawnFailure = details.spawnFailure;
  }

  /** Whether it exited before listening (rather than running without ever listening). */
  get exited(): boolean {
    return this.exitCode !== undefined;
  }
}

/** A `docker` command that failed: the message carries its stderr. */
export class DockerCommandError extends Error {
  readonly args: readonly string[];
  /** What docker said, trimmed. */
  readonly detail: string;

  constructor(args: readonly string[], detail: string, options?: ErrorOptions) {
    super(`docker ${args.join(' ')} failed: ${detail.trim()}`, options);
    this.name = 'DockerCommandError';
    this.args = args;
    this.detail = detail.trim();
  }
}

/** A command line a command cannot run with: one line naming the flag, and exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
