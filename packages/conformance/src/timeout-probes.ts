import { runBody } from '@owkit/runtime/testing';
import { postHead, type RawExchange, rawExchange } from './raw-http.js';
import type { Server } from './servers.js';

/** Long enough for a server that checks its timers every 30 s (Node's default) to show up late. */
export const WAIT_MS = 100_000;
export const SECOND = 1_000;

export interface TimeoutProbe {
  name: string;
  /** The window the close must fall in, in ms from what `exchange.closedAfterMs` counts from. */
  window: [number, number];
  run(server: Server): Promise<RawExchange>;
}

/**
 * Connection timeouts (protocol §1.1): a head must arrive within 60 s, a started body must keep
 * moving (a body shorter than its Content-Length included), an idle keep-alive connection closes
 * after 65 s. Each probe waits about a minute, so tests start them all at once and read their
 * outcomes later.
 */
export const timeoutProbes: TimeoutProbe[] = [
  {
    name: 'slowloris head: one byte of header every 5 s, never the end of the head → closed 60 s after the connection',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) => {
      const trickle: (string | number)[] = ['POST /run HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '];
      for (let i = 0; i < WAIT_MS / 5_000; i++) trickle.push(5_000, 'a');
      return rawExchange(server.port, trickle, { waitMs: 0, timeFrom: 'connect' });
    },
  },
  {
    name: 'slow body: the head and 10 of 1,000 body bytes, then nothing → closed 60 s after the last byte',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) =>
      rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', 'Content-Length: 1000']),
          '{"value":{',
        ],
        { waitMs: WAIT_MS },
      ),
  },
  {
    name: 'lying Content-Length: 1,000 declared, 12 bytes sent, then the client half-closes → closed, at once or by the body timeout',
    window: [0, 75 * SECOND],
    run: (server) =>
      rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', 'Content-Length: 1000']),
          '{"value":{}}',
        ],
        { waitMs: WAIT_MS, halfClose: true },
      ),
  },
  {
    name: 'idle keep-alive: one answered /run, then silence → closed 60-65 s after the answer',
    window: [55 * SECOND, 75 * SECOND],
    run: (server) => {
      const body = JSON.stringify(runBody({ payload: 'idle' }));
      return rawExchange(
        server.port,
        [
          postHead('/run', ['Content-Type: application/json', `Content-Length: ${body.length}`]),
          body,
        ],
        { waitMs: WAIT_MS, timeFrom: 'response' },
      );
    },
  },
];
