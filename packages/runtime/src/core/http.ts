import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { messageOf } from './errors.js';
import { errorBody } from './json.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './messages.js';
import type { ProtocolApp } from './protocol.js';

export interface HttpOptions {
  /** Largest accepted request body, inclusive. */
  bodyLimitBytes?: number;
}

/**
 * An unstarted HTTP server for a protocol app. Every answer is JSON with an explicit
 * Content-Length, written in one call so headers and body leave in one segment.
 */
export function createHttpServer(app: ProtocolApp, options: HttpOptions = {}): Server {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const server = createServer(
    // The platform enforces the action's time limit; the server must never cut a request short.
    { requestTimeout: 0, keepAliveTimeout: 65_000, noDelay: true },
    (req, res) => {
      readBody(req, limit).then(
        (body) => {
          const path = pathOf(req.url);
          return app
            .handle({ method: req.method ?? 'GET', path, body: body === tooLarge ? null : body })
            .then(
              (response) => send(res, response.status, response.body),
              (error: unknown) => send(res, 502, errorBody(messageOf(error))),
            );
        },
        () => {
          // The client went away mid-body; there is nobody left to answer.
          res.destroy();
        },
      );
    },
  );
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      const body = errorBody('Bad request.');
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
  });
  return server;
}

export function send(res: ServerResponse, status: number, body: string | Buffer): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
  });
  res.end(bytes);
}

const tooLarge = Symbol('too large');

/**
 * Collects the body up to `limit` bytes. Past the limit the rest is read and dropped, never
 * kept, so the client can finish sending and read the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof tooLarge> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let overflow = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (overflow) return;
      size += chunk.length;
      if (size > limit) {
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (overflow) resolve(tooLarge);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
