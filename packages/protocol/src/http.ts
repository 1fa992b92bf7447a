import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { messageOf } from './errors.js';
import { errorBody } from './json.js';
import { LARGE_BODY_BYTES, releaseMemory } from './memory.js';
import { DEFAULT_BODY_LIMIT_BYTES, MESSAGES } from './messages.js';
import type { ProtocolApp, ProtocolResponse } from './protocol.js';

/** Connection timeouts (protocol §1.1). None of them ever cuts an activation that is running. */
export const DEFAULT_TIMEOUTS = {
  /** From a request's first byte (or the connection) to the end of its head. */
  headersMs: 60_000,
  /** Longest pause between two pieces of a body that has started. */
  bodyIdleMs: 60_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: 65_000,
  /** After a 413, how long the rest of the body is read and dropped before the connection closes. */
  drainMs: 2_000,
} as const;

export type HttpTimeouts = { [K in keyof typeof DEFAULT_TIMEOUTS]: number };

export interface HttpOptions {
  /** Largest accepted request body, inclusive. */
  bodyLimitBytes?: number;
  /** Connection timeouts, for tests; the protocol's values by default. */
  timeouts?: Partial<HttpTimeouts>;
}

/**
 * After a refused body, at most this much more is read (and dropped) before closing: enough for
 * any body up to twice the largest accepted one to finish, so that its sender keeps the answer.
 */
const DRAIN_LIMIT_BYTES = 2 * DEFAULT_BODY_LIMIT_BYTES;

/** Node keeps an idle connection this much longer than `keepAliveTimeout` (its own margin). */
const NODE_KEEP_ALIVE_MARGIN_MS = 1_000;

/**
 * An unstarted HTTP server for a protocol app. Every answer is JSON with an explicit
 * Content-Length, written in one call so headers and body leave in one segment.
 */
export function createHttpServer(app: ProtocolApp, options: HttpOptions = {}): Server {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const timeouts: HttpTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  const server = createServer(
    {
      // The platform enforces the action's time limit: no timeout may cut a request being
      // served. Node's requestTimeout: 0 would also switch the head's timeout off, so that one is
      // set on its own, and checked every second rather than every 30 s.
      requestTimeout: 0,
      headersTimeout: timeouts.headersMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersMs / 4)),
      keepAliveTimeout: Math.max(1, timeouts.keepAliveMs - NODE_KEEP_ALIVE_MARGIN_MS),
      noDelay: true,
    },
    (req, res) => {
      inFlight.set(req.socket, res);
      res.once('close', () => inFlight.delete(req.socket));
      const answer = (body: Buffer | null) => {
        // Only whether there was a body outlives this call: the bytes belong to the app now.
        const refused = body === null;
        const respond = (response: ProtocolResponse) => {
          if (refused) refuseBody(req, res, response.status, response.body, timeouts);
          else send(res, response.status, response.body);
        };
        const failed = (error: unknown) => send(res, 502, errorBody(messageOf(error)));
        try {
          const answered = app.handle(
            { method: req.method ?? 'GET', path: pathOf(req.url), body },
            respond,
          );
          if (answered instanceof Promise) answered.catch(failed);
        } catch (error) {
          failed(error);
        }
      };
      readBody(req, limit, timeouts.bodyIdleMs, {
        body: answer,
        tooLarge: () => answer(null),
        // The client went away mid-body, or stopped sending: there is nobody left to answer.
        failed: () => req.socket.destroy(),
      });
    },
  );
  // Anything but `Expect: 100-continue` (which Node answers itself). Node's own answer would be a
  // chunked, empty 417; this one is JSON with a length, and the connection closes after it.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    refuseBody(req, res, 417, errorBody(MESSAGES.expectationFailed), timeouts);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = timedOut ? 408 : 400;
    const body = errorBody(timedOut ? MESSAGES.requestTimeout : MESSAGES.badRequest);
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    // Garbage after a whole request on the same connection: that request is answered first.
    // An error inside a request's own body (a bad chunk, a client that half-closes mid-body)
    // ends that request: answered now, it would otherwise wait for a body that cannot come.
    const pending = inFlight.get(socket);
    if (pending === undefined || !pending.req.complete) answer();
    else pending.once('finish', answer).once('close', answer);
  });
  return server;
}

export function send(res: ServerResponse, status: number, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
  res.end(bytes);
}

/**
 * Answers before the body was read, then reads and drops what the client still sends — for a
 * bounded time and amount — so that it can finish writing and read the answer; then closes.
 *
 * The answer says nothing of closing: with `Connection: close`, node:http destroys the socket as
 * soon as the answer is written, while the client is still sending, and the kernel then resets
 * the connection; a reset can throw away the answer before the client has read it (seen with
 * 64 MiB + 1 declared). A client that sends its whole body in time keeps its connection.
 */
function refuseBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  timeouts: HttpTimeouts,
): void {
  send(res, status, body);
  const { socket } = req;
  let drained = 0;
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) closeLingering();
  };
  const stop = setTimeout(() => closeLingering(), timeouts.drainMs);
  stop.unref();
  const finished = () => {
    clearTimeout(stop);
    req.off('data', onData);
  };
  req.once('end', finished);
  socket.once('close', finished);
  // Half-close first (the client reads the answer, then end of stream), keep dropping what still
  // arrives for a moment, and only then cut the connection.
  function closeLingering(): void {
    finished();
    req.on('data', () => {});
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }
  req.removeAllListeners('data');
  req.on('data', onData);
  req.resume();
}

/** How long a refused connection keeps reading after its half-close, before it is cut. */
const LINGER_MS = 1_000;

interface BodyCallbacks {
  /** The whole body, at most `limit` bytes. */
  body(bytes: Buffer): void;
  /** The body is known to be over the limit: at once when the declared length says so. */
  tooLarge(): void;
  /** The client went away mid-body, or stopped sending for `idleMs`. */
  failed(): void;
}

/**
 * Reads the body into one buffer that grows (doubling) as pieces arrive, up to `limit` bytes:
 * never reserved from the declared length, which a client may send without a body behind it.
 * Callbacks, not a promise: a settled promise would keep the body alive as long as the listeners
 * that hold it, which is as long as the connection.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  idleMs: number,
  callbacks: BodyCallbacks,
): void {
  const declaredHeader = req.headers['content-length'];
  const declared = declaredHeader === undefined ? undefined : Number(declaredHeader);
  if (declared !== undefined && declared > limit) {
    callbacks.tooLarge();
    return;
  }
  const ceiling = declared ?? limit;
  let first: Buffer | undefined;
  let buffer: Buffer | undefined;
  let size = 0;
  let reading = true;
  let timerArmed = false;
  const stopReading = () => {
    reading = false;
    if (timerArmed) {
      req.setTimeout(0);
      req.off('timeout', onError);
    }
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    // Errors after this point have nobody to tell; an error event without a listener would throw.
    req.on('error', () => {});
    buffer = undefined;
    first = undefined;
  };
  const onError = () => {
    stopReading();
    callbacks.failed();
  };
  const onData = (chunk: Buffer) => {
    const needed = size + chunk.length;
    if (needed > limit) {
      stopReading();
      callbacks.tooLarge();
      return;
    }
    if (size === 0) {
      // A body that comes in one piece (most do) is kept as it came: no copy.
      first = chunk;
      size = needed;
      return;
    }
    // The socket's pieces are garbage once copied; a large body frees them every 8 MiB, so that
    // they never add up to a second body beside the first.
    if (
      needed >= LARGE_BODY_BYTES &&
      Math.floor(needed / LARGE_BODY_BYTES) > Math.floor(size / LARGE_BODY_BYTES)
    ) {
      releaseMemory();
    }
    if (buffer === undefined || needed > buffer.length) {
      let capacity = Math.max(needed, 2 * (buffer?.length ?? size), 65_536);
      // Past half the ceiling, the next copy is the last: straight to the ceiling, so that a
      // 64 MiB body never moves from 63.9 MiB into 64 MiB (128 MiB held for one copy).
      if (2 * capacity > ceiling) capacity = Math.max(needed, ceiling);
      const grown = Buffer.allocUnsafe(capacity);
      (buffer ?? (first as Buffer)).copy(grown, 0, 0, size);
      // The previous copy is dropped as soon as the next one exists.
      buffer = grown;
      first = undefined;
    }
    chunk.copy(buffer, size);
    size = needed;
  };
  const onEnd = () => {
    const body = buffer === undefined ? (first ?? Buffer.alloc(0)) : buffer.subarray(0, size);
    stopReading();
    // The last smaller copy and the socket's pieces go before anyone copies the body again.
    if (size >= LARGE_BODY_BYTES) releaseMemory();
    callbacks.body(body);
  };
  // The idle timer is armed only for a body still arriving once this turn's ticks have run (they
  // deliver what came with the head): a body that came whole with its head, as most do, needs no
  // timer made and undone. A chunked body has no length to check, so it always gets one.
  queueMicrotask(() => {
    if (!reading || (declared !== undefined && size >= declared)) return;
    timerArmed = true;
    req.setTimeout(idleMs);
    req.on('timeout', onError);
  });
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
