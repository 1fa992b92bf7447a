import type { Server } from 'node:http';
import { messageOf } from './errors.js';
import type { ProtocolApp } from './protocol.js';
import { closeGracefully, onTerminationSignal } from './shutdown.js';

/** What a server factory returns, the runtime's and the proxy's alike: unstarted. */
export interface ProtocolServer {
  /** Not listening yet: call `listen`, or hand it to runServer. */
  server: Server;
  /** The same protocol without a socket; closing it closes the engine (and kills its children). */
  app: ProtocolApp;
}

export interface ListenAddress {
  port: number;
  host: string;
}

/** How one server process starts: the only thing that differs between the runtime and the proxy. */
export interface ServerStart<O extends ListenAddress> {
  /** The command's name, which begins every line runServer prints. */
  name: string;
  /** What `--help` prints (the options table). */
  help(): string;
  /**
   * Reads the options. An error with `exitCode: 2` (the options parsers' errors) is the user's to
   * fix: it becomes one line on stderr and exit code 2.
   */
  parse(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): O;
  /** The unstarted server for those options. */
  create(options: O): ProtocolServer;
}

/**
 * The one start-up path of every owkit server process: `--help`, options, listen, and SIGTERM or
 * SIGINT with the graceful close. It owns the exit codes, so it belongs in an entry file (or the
 * runtime's `serve`), never in a library: 0 after `--help` or a clean shutdown; 2 for options
 * the process cannot start with; 1 when it cannot listen or the shutdown fails. Each failure is
 * one line on stderr that names the cause. Resolves once the server listens.
 */
export async function runServer<O extends ListenAddress>(
  start: ServerStart<O>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ProtocolServer & { options: O }> {
  const fail = (code: number, line: string): never => {
    process.stderr.write(`${start.name}: ${line}\n`);
    process.exit(code);
  };
  if (argv.includes('--help')) {
    process.stdout.write(`${start.help().trimEnd()}\n`);
    process.exit(0);
  }
  let options: O;
  try {
    options = start.parse(argv, env);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    // The parsers of @owkit/host already point at --help; this one line says it once.
    const message = error.message.replace(/ \(see --help\)$/, '');
    return fail(2, `${message} (see --help)`);
  }
  const { server, app } = start.create(options);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    return fail(1, `cannot listen on ${options.host}:${options.port}: ${messageOf(error)}`);
  }
  onTerminationSignal(() => {
    closeGracefully(server, app).then(
      () => process.exit(0),
      (error: unknown) => fail(1, `shutdown failed: ${messageOf(error)}`),
    );
  });
  return { server, app, options };
}

function isUsageError(error: unknown): error is Error & { exitCode: 2 } {
  return error instanceof Error && (error as { exitCode?: unknown }).exitCode === 2;
}
