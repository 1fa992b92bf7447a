import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Answer } from './client.js';

const WRITE_PIECE_BYTES = 1024 * 1024;

/** One HTTP/1.1 response as it came off a raw connection. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body, de-chunked when it was chunked. */
  body: Buffer;
  chunked: boolean;
}

/** What a raw connection saw. */
export interface RawExchange {
  responses: RawResponse[];
  /** Whether the server closed (or reset) the connection before the wait ended. */
  closed: boolean;
  /** Milliseconds from the moment `timeFrom` names to the close. */
  closedAfterMs: number | undefined;
  /** Everything received, for messages. */
  received: Buffer;
}

export interface RawOptions {
  /** How long to wait for the server to close the connection before giving up. */
  waitMs: number;
  /** Half-close the connection (FIN) after the last write: "I have nothing more to send". */
  halfClose?: boolean;
  /** Stop waiting once this many complete responses have arrived. */
  stopAfterResponses?: number;
  /**
   * Where `closedAfterMs` counts from: the connection (`connect`), the last write (`write`, the
   * default) or the first complete response (`response`).
   */
  timeFrom?: 'connect' | 'write' | 'response';
}

/**
 * Writes `writes` on one fresh connection to 127.0.0.1:`port`, exactly as given (numbers are
 * pauses in ms), then collects what comes back until the server closes or the wait ends. For
 * what `node:http` will not send: lying lengths, stalled heads, odd chunk sizes.
 */
export async function rawExchange(
  port: number,
  writes: readonly (string | Buffer | number)[],
  options: RawOptions,
): Promise<RawExchange> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  let closed = false;
  let closedAt = 0;
  let responseAt: number | undefined;
  let onChange = (): void => undefined;
  const changed = () => onChange();
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    if (responseAt === undefined && parseResponses(Buffer.concat(chunks)).length > 0) {
      responseAt = performance.now();
    }
    changed();
  });
  const markClosed = () => {
    if (!closed) {
      closed = true;
      closedAt = performance.now();
    }
    changed();
  };
  socket.on('end', markClosed);
  socket.on('close', markClosed);
  socket.on('error', markClosed);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connectedAt = performance.now();

  writing: for (const part of writes) {
    if (closed) break;
    if (typeof part === 'number') {
      await delay(part);
      continue;
    }
    // Large parts go in 1 MiB pieces, and sending stops once an answer is in, as a client that
    // reads while it writes does: a server may answer early (413) and close after a bounded drain.
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    for (let offset = 0; offset < bytes.length; offset += WRITE_PIECE_BYTES) {
      if (closed || (offset > 0 && responseAt !== undefined)) break writing;
      await write(socket, bytes.subarray(offset, offset + WRITE_PIECE_BYTES));
    }
  }
  if (options.halfClose && !closed) socket.end();
  const wroteAt = performance.now();

  const done = () =>
    closed ||
    (options.stopAfterResponses !== undefined &&
      parseResponses(Buffer.concat(chunks)).length >= options.stopAfterResponses);
  if (!done()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.waitMs);
      onChange = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  }
  socket.destroy();
  const received = Buffer.concat(chunks);
  const from =
    options.timeFrom === 'connect'
      ? connectedAt
      : options.timeFrom === 'response'
        ? (responseAt ?? wroteAt)
        : wroteAt;
  return {
    responses: parseResponses(received),
    closed,
    closedAfterMs: closed ? closedAt - from : undefined,
    received,
  };
}

function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    // A server that already closed makes the write fail; the exchange records the close.
    socket.write(data, () => resolve());
  });
}

/** Every complete response in `bytes`, in order; a trailing incomplete one is left out. */
export function parseResponses(bytes: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) return out;
    const lines = bytes.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN);
    if (Number.isNaN(status)) return out;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let cursor = headEnd + 4;
    const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
    let body: Buffer;
    if (chunked) {
      const pieces: Buffer[] = [];
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', cursor);
        if (lineEnd === -1) return out;
        const size = Number.parseInt(bytes.subarray(cursor, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) return out;
        cursor = lineEnd + 2;
        if (size === 0) {
          const trailerEnd = bytes.indexOf('\r\n', cursor);
          if (trailerEnd === -1) return out;
          cursor = trailerEnd + 2;
          break;
        }
        if (bytes.length < cursor + size + 2) return out;
        pieces.push(bytes.subarray(cursor, cursor + size));
        cursor += size + 2;
      }
      body = Buffer.concat(pieces);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (bytes.length < cursor + length) return out;
      body = bytes.subarray(cursor, cursor + length);
      cursor += length;
    }
    out.push({ status, headers, body, chunked });
    offset = cursor;
  }
}

/** The head of a POST with the given extra header lines (each without its CRLF). */
export function postHead(path: string, headerLines: readonly string[]): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headerLines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

/** A raw response in the client's `Answer` shape, for the framing audit and the same assertions. */
export function answerOf(raw: RawResponse): Answer {
  const body = raw.body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: raw.status, headers: raw.headers, bytes: raw.body, body, json };
}
