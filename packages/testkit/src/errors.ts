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

/** A process or container that did not come up: the message carries what it printed. */
export class StartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartError';
  }
}

/** A `docker` command that failed: the message carries its stderr. */
export class DockerCommandError extends Error {
  readonly args: readonly string[];

  constructor(args: readonly string[], detail: string, options?: ErrorOptions) {
    super(`docker ${args.join(' ')} failed: ${detail.trim()}`, options);
    this.name = 'DockerCommandError';
    this.args = args;
  }
}
