import type { Server } from 'node:http';
import { basename } from 'node:path';
import { optionsTable } from '@owkit/host/command-line';
import { runServer } from '@owkit/protocol';
import type { Handler } from './handler.js';
import { parseOptions, type RuntimeOptions, runtimeOptionSpecs } from './options.js';
import { createServer, type ServerOptions } from './server.js';

export interface ServeOptions extends ServerOptions, Partial<RuntimeOptions> {}

/**
 * The one-liner an action's entry file calls: listen on PORT (8080 by default) and, on SIGTERM,
 * finish in-flight activations and exit. The action is PID 1 in its container, so the signal
 * handling has to be ours. A bad `PORT` or flag is one line on stderr and exit code 2; a port
 * that cannot be had, one line and exit code 1.
 */
export async function serve<P>(handler: Handler<P>, options: ServeOptions = {}): Promise<Server> {
  const name = basename(process.argv[1] ?? 'action');
  const { server } = await runServer({
    name,
    help: () =>
      `${name}: an OpenWhisk action on the owkit native runtime, serving /init and /run.\n\n${optionsTable(runtimeOptionSpecs)}`,
    parse(argv, env) {
      const fromCommandLine = parseOptions(argv, env);
      return {
        port: options.port ?? fromCommandLine.port,
        host: options.host ?? fromCommandLine.host,
      };
    },
    create: () => createServer(handler, options),
  });
  return server;
}
