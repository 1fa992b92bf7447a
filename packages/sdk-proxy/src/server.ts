import type { Server } from 'node:http';
import {
  createHttpServer,
  createProtocolApp,
  type LogStreams,
  type ProtocolApp,
  trackLineEnds,
} from '@owkit/protocol';
import { createActionloopEngine } from './actionloop-engine.js';
import { createBlackboxEngine } from './blackbox-engine.js';
import type { EngineOptions } from './engine-options.js';
import { type ProxyOptions, proxyOptionSpecs } from './options.js';

export interface ProxyServerOptions extends Partial<Omit<ProxyOptions, 'port' | 'host'>> {
  /** Where the action's logs and the sentinels go; the process's stdout and stderr by default. */
  logs?: LogStreams;
  /** The base of every child's environment; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Actionloop mode: how long a child may take to acknowledge its start. */
  startupTimeoutMs?: number;
}

export interface ProxyServer {
  /** Unstarted: call `listen`. Actionloop mode starts its children once the server listens. */
  server: Server;
  app: ProtocolApp;
}

/** The protocol app for the executable, without a socket. */
export function createProxyApp(options: ProxyServerOptions = {}): {
  app: ProtocolApp;
  prestart(): void;
} {
  const logs = options.logs ?? { stdout: process.stdout, stderr: process.stderr };
  trackLineEnds(logs.stdout);
  trackLineEnds(logs.stderr);
  const engineOptions: EngineOptions = {
    execPath: options.exec ?? '/action/exec',
    outputLimitBytes: options.outputLimit ?? 16 * 1024 * 1024,
    timeoutMs: options.timeout ?? 0,
    treeKill: options.treeKill ?? proxyOptionSpecs.treeKill.default,
    unzipLimits: {
      maxBytes: options.unzipMaxBytes ?? proxyOptionSpecs.unzipMaxBytes.default,
      maxEntries: options.unzipMaxEntries ?? proxyOptionSpecs.unzipMaxEntries.default,
    },
    logs,
    env: definedOnly(options.env ?? process.env),
  };
  if (options.mode === 'actionloop') {
    const engine = createActionloopEngine({
      ...engineOptions,
      pool: options.pool ?? 1,
      ...(options.startupTimeoutMs === undefined
        ? {}
        : { startupTimeoutMs: options.startupTimeoutMs }),
    });
    return { app: createProtocolApp(engine, { logs }), prestart: () => engine.prestart() };
  }
  const engine = createBlackboxEngine({
    ...engineOptions,
    spawnHelper: options.spawnHelper ?? proxyOptionSpecs.spawnHelper.default,
  });
  return { app: createProtocolApp(engine, { logs }), prestart: () => {} };
}

/** An unstarted HTTP server that serves the executable over `/init` and `/run`. */
export function createProxyServer(options: ProxyServerOptions = {}): ProxyServer {
  const { app, prestart } = createProxyApp(options);
  const server = createHttpServer(app);
  server.once('listening', prestart);
  return { server, app };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
