import type { Server } from 'node:http';
import { closeGracefully, createHttpServer, onTerminationSignal } from '@owkit/protocol';
import type { Handler } from './handler.js';
import { parseOptions, type RuntimeOptions } from './options.js';
import { createApp, httpOptionsOf, type ServerOptions } from './server.js';

export interface ServeOptions extends ServerOptions, Partial<RuntimeOptions> {}

/**
 * The one-liner an action's entry file calls: listen on PORT (8080 by default) and, on SIGTERM,
 * finish in-flight activations and exit. The action is PID 1 in its container, so the signal
 * handling has to be ours.
 */
export async function serve<P>(handler: Handler<P>, options: ServeOptions = {}): Promise<Server> {
  const fromEnvironment = parseOptions(process.argv.slice(2), process.env);
  const port = options.port ?? fromEnvironment.port;
  const host = options.host ?? fromEnvironment.host;
  const app = createApp(handler, options);
  const server = createHttpServer(app, httpOptionsOf(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  onTerminationSignal(() => {
    closeGracefully(server, app).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
  return server;
}
