import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One answer as it came off the wire. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  /** The body decoded as UTF-8. */
  body: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

export interface SendOptions {
  method?: string;
  /** A string or Buffer is sent as it is; anything else as JSON. Omitted: no body. */
  body?: unknown;
  /** Sends the body with `Transfer-Encoding: chunked` (no Content-Length), in pieces of this size. */
  chunkBytes?: number;
  /** Lets a request outlive the default 30 s (deadline tests stay far below it). */
  timeoutMs?: number;
}

/** The statuses the protocol lets a server answer with. */
export const ALLOWED_STATUSES: ReadonlySet<number> = new Set([200, 400, 403, 404, 405, 413, 502]);

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/**
 * A request on its own connection. Node's http client is used directly (not fetch) so headers
 * arrive exactly as sent, a chunked answer is visible, and an early answer to a body the server
 * refused mid-way (413) is still read.
 */
export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<Answer> {
  // The path goes on the request line as it is: resolving it against the base URL would turn
  // `//host` into another host, and every request here must stay on loopback.
  const base = new URL(baseUrl);
  const payload = bodyBytes(options.body);
  const method = options.method ?? 'POST';
  const headers: Record<string, string | number> = {};
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    if (options.chunkBytes === undefined) headers['content-length'] = payload.length;
    else headers['transfer-encoding'] = 'chunked';
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        path,
        method,
        headers,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        answered = true;
        readAnswer(res).then(resolve, reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A server may answer 413 and close before the rest of the body is written.
      if (answered && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) return;
      reject(error);
    });
    if (payload === undefined) {
      req.end();
    } else if (options.chunkBytes === undefined) {
      req.end(payload);
    } else {
      writeChunked(req, payload, options.chunkBytes);
    }
  });
}

/** Reads an answer to its end: its bytes, as text, and as JSON when it parses. */
function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const body = bytes.toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body, json });
    });
  });
}

function writeChunked(
  req: ReturnType<typeof httpRequest>,
  payload: Buffer,
  chunkBytes: number,
): void {
  let offset = 0;
  const writeMore = (): void => {
    while (offset < payload.length) {
      const piece = payload.subarray(offset, offset + chunkBytes);
      offset += piece.length;
      if (!req.write(piece)) {
        req.once('drain', writeMore);
        return;
      }
    }
    req.end();
  };
  writeMore();
}

/**
 * What is wrong with an answer's framing, per the protocol's transport rules: JSON body, JSON
 * content type, an explicit and exact Content-Length, never chunked, never 204 or 503.
 */
export function framingProblems(answer: Answer): string[] {
  const problems: string[] = [];
  const length = answer.headers['content-length'];
  if (length === undefined) problems.push('no Content-Length');
  else if (Number(length) !== answer.bytes.length) {
    problems.push(`Content-Length ${length} but ${answer.bytes.length} bytes`);
  }
  if (answer.headers['transfer-encoding'] !== undefined) {
    problems.push(`Transfer-Encoding: ${answer.headers['transfer-encoding']}`);
  }
  const type = answer.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) problems.push(`Content-Type ${JSON.stringify(type)}`);
  if (answer.json === undefined) problems.push(`body is not JSON: ${answer.body.slice(0, 80)}`);
  if (answer.status === 204 || answer.status === 503) problems.push(`status ${answer.status}`);
  if (answer.status !== 200 && !isErrorBody(answer.json)) {
    problems.push(`error body is not {"error": string}: ${answer.body.slice(0, 80)}`);
  }
  return problems;
}

function isErrorBody(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return (
    keys.length === 1 &&
    keys[0] === 'error' &&
    typeof (json as { error: unknown }).error === 'string'
  );
}

/**
 * Keeps the framing problems of every answer a suite saw, so one final case can say whether all
 * of them were framed correctly, not only the ones a case looked at.
 */
export class FramingAudit {
  readonly problems: string[] = [];
  answers = 0;

  record(label: string, answer: Answer): Answer {
    this.answers += 1;
    for (const problem of framingProblems(answer)) this.problems.push(`${label}: ${problem}`);
    return answer;
  }
}

/**
 * Streams `totalBytes` of JSON whitespace after a small valid prefix, chunked, without holding
 * the body in memory; resolves with the answer (the server may answer before the end).
 */
export function sendStreamed(baseUrl: string, path: string, totalBytes: number): Promise<Answer> {
  const base = new URL(baseUrl);
  const piece = Buffer.alloc(1 << 20, 0x20);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        agent: false,
      },
      (res) => {
        answered = true;
        readAnswer(res).then((answer) => {
          req.destroy();
          resolve(answer);
        }, reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      reject(error);
    });
    let sent = 0;
    req.write('{"value":{}}');
    const writeMore = (): void => {
      while (sent < totalBytes && !answered) {
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (!answered) req.end();
    };
    writeMore();
  });
}
