/**
 * Helpers for testing actions and servers that speak the protocol: in-process calls to a
 * ProtocolApp, real requests to a listening server, log capture, and realistic request bodies.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type LogStreams, type ProtocolApp, type ProtocolServer, SENTINEL } from '@owkit/protocol';

export interface TestResponse {
  status: number;
  /** The exact body text. */
  body: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  headers: Record<string, string>;
}

type Body = unknown;

function bodyText(body: Body): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Calls the app without a socket. A string body is sent as it is; anything else as JSON. */
export async function invoke(
  app: ProtocolApp,
  path: string,
  body: Body = {},
  method = 'POST',
): Promise<TestResponse> {
  const response = await app.handle({ method, path, body: bodyText(body) });
  const text = typeof response.body === 'string' ? response.body : response.body.toString('utf8');
  return {
    status: response.status,
    body: text,
    json: parsed(text),
    headers: { 'content-type': 'application/json' },
  };
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the server on an ephemeral loopback port. Given what createServer (or the proxy's
 * createProxyServer) returns, `close` also closes its app, which ends the engine.
 */
export async function listen(target: Server | ProtocolServer): Promise<Listening> {
  const { server, app } = 'server' in target ? target : { server: target, app: undefined };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await app?.close();
    },
  };
}

/** A real HTTP request to a listening server. */
export async function request(
  baseUrl: string,
  path: string,
  body: Body = {},
  method = 'POST',
): Promise<TestResponse> {
  const init: RequestInit = { method };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = bodyText(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await fetch(baseUrl + path, init);
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    json: parsed(text),
    headers: Object.fromEntries(response.headers.entries()),
  };
}

export interface CapturedLogs extends LogStreams {
  stdoutText(): string;
  stderrText(): string;
  /** How many sentinel lines each stream holds. */
  sentinels(): { stdout: number; stderr: number };
}

/** Log streams that keep what was written, for asserting on logs and sentinels. */
export function captureLogs(): CapturedLogs {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        into.push(chunk.toString());
        done();
      },
    });
  const count = (text: string) => text.split('\n').filter((line) => line === SENTINEL).length;
  return {
    stdout: sink(out),
    stderr: sink(err),
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
    sentinels: () => ({ stdout: count(out.join('')), stderr: count(err.join('')) }),
  };
}

export interface RunBodyOptions {
  actionName?: string;
  namespace?: string;
  deadlineMs?: number;
  apiKey?: string;
}

/** The body the invoker posts to `/run`. */
export interface RunRequestBody {
  value: unknown;
  namespace: string;
  action_name: string;
  action_version: string;
  activation_id: string;
  transaction_id: string;
  /** Epoch milliseconds, as a string, as the invoker sends it. */
  deadline: string;
  api_key?: string;
}

/** A `/run` body shaped like the invoker's, with fresh ids and a deadline `deadlineMs` ahead. */
export function runBody(value: unknown, options: RunBodyOptions = {}): RunRequestBody {
  const body: RunRequestBody = {
    value,
    namespace: options.namespace ?? 'guest',
    action_name: `/${options.namespace ?? 'guest'}/${options.actionName ?? 'test-action'}`,
    action_version: '0.0.1',
    activation_id: randomUUID().replaceAll('-', ''),
    transaction_id: randomUUID().replaceAll('-', ''),
    deadline: String(Date.now() + (options.deadlineMs ?? 60_000)),
  };
  if (options.apiKey !== undefined) body.api_key = options.apiKey;
  return body;
}

/** A `/init` body as `wsk action create --docker` sends it: no code. */
export function initBody(env: Record<string, unknown> = {}): Record<string, unknown> {
  return { value: { name: 'test-action', main: 'main', binary: false, env } };
}
