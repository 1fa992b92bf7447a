import {
  createHttpServer,
  createProtocolApp,
  type HttpOptions,
  type HttpTimeouts,
  type LogStreams,
  type ProtocolApp,
  type ProtocolServer,
  trackLineEnds,
} from '@owkit/protocol';
import type { Handler, InitHook } from './handler.js';
import { createNativeEngine } from './native-engine.js';

export interface ServerOptions {
  /** Runs once after `/init` applied its env. */
  init?: InitHook;
  /** Where activation logs and sentinels go; the process's stdout and stderr by default. */
  logs?: LogStreams;
  /** Where `/init` env and `__OW_*` variables are set; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Largest accepted request body, inclusive; 64 MiB by default. */
  bodyLimitBytes?: number;
  /** Connection timeouts (head, body pauses, idle keep-alive); the protocol's by default. */
  timeouts?: Partial<HttpTimeouts>;
}

/** The HTTP side of the options. */
function httpOptionsOf(options: ServerOptions): HttpOptions {
  return {
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  };
}

/** The protocol app for a handler, without a socket: what the in-process tests drive. */
export function createApp<P>(handler: Handler<P>, options: ServerOptions = {}): ProtocolApp {
  const logs = options.logs ?? { stdout: process.stdout, stderr: process.stderr };
  trackLineEnds(logs.stdout);
  trackLineEnds(logs.stderr);
  const engine = createNativeEngine(handler, {
    ...(options.init ? { init: options.init } : {}),
    ...(options.env ? { env: options.env } : {}),
    stderr: logs.stderr,
  });
  return createProtocolApp(engine, { logs });
}

/**
 * An unstarted `node:http` server that serves the handler over `/init` and `/run`, and its app:
 * the same shape as the proxy's createProxyServer. `server.listen(port)` starts it;
 * `app.close()` after `server.close()` ends it.
 */
export function createServer<P>(handler: Handler<P>, options: ServerOptions = {}): ProtocolServer {
  const app = createApp(handler, options);
  return { server: createHttpServer(app, httpOptionsOf(options)), app };
}
