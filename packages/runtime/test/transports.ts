import type { Server } from 'node:http';
import type { ProtocolApp } from '@owkit/protocol';
import { createHttpServer } from '@owkit/protocol';
import { onTestFinished } from 'vitest';
import { invoke, listen, request, type TestResponse } from '../src/testing.js';

export type Call = (path: string, body?: unknown, method?: string) => Promise<TestResponse>;

/**
 * The same protocol test runs twice: against the app in-process, and over a real socket on an
 * ephemeral port, so a rule that only holds in one of them shows up.
 */
export const transports = [
  {
    name: 'in-process',
    connect: async (app: ProtocolApp): Promise<Call> => {
      return (path, body, method) => invoke(app, path, body, method);
    },
  },
  {
    name: 'socket',
    connect: async (app: ProtocolApp): Promise<Call> => {
      const server: Server = createHttpServer(app);
      const listening = await listen(server);
      // connect runs inside a test: its server closes when that test ends, pass or fail.
      onTestFinished(() => listening.close());
      return (path, body, method) => request(listening.url, path, body, method);
    },
  },
] as const;
