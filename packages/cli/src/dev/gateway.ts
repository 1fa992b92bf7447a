import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type HttpAnswer, toAnswer, toParams, type WebRequest } from './mapping.js';

/** What running one activation gives the gateway: `/run`'s status (none on a timeout) and body. */
export interface RunOutcome {
  activationId: string;
  status: number | undefined;
  result: unknown;
}

export interface GatewayOptions {
  raw: boolean;
  /** Runs one activation with these params. The gateway calls it for one request at a time. */
  run(params: Record<string, unknown>): Promise<RunOutcome>;
  /** Called after each request, with what the client got. */
  onRequest?(event: RequestEvent): void | Promise<void>;
}

export interface RequestEvent {
  method: string;
  url: string;
  status: number;
  ms: number;
  /** Undefined when the controller answered without running the action. */
  activation: RunOutcome | undefined;
}

/** The controller's request body limit for web actions (its default payload limit, 1 MB). */
const BODY_LIMIT_BYTES = 1024 * 1024;
const CORS_HEADERS: Array<[string, string]> = [
  ['access-control-allow-origin', '*'],
  ['access-control-allow-methods', 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH'],
];
const DEFAULT_ALLOW_HEADERS =
  'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent';

/**
 * A local stand-in for `/api/v1/web/<namespace>/default/<action>`: the whole path of each request
 * is the action's `__ow_path`. Activations run one at a time, as on a container with the
 * platform's default concurrency of 1, so each one's logs can be told apart.
 */
export function createGateway(options: GatewayOptions): Server {
  let queue: Promise<unknown> = Promise.resolve();
  return createServer((req, res) => {
    const startedAt = performance.now();
    readBody(req)
      .then(
        (body) => {
          // The next activation starts once this one's logs are printed.
          const turn = queue.then(async () => {
            const { answer, activation } = await serveOne(req, body, options);
            send(res, req, answer);
            await options.onRequest?.({
              method: req.method ?? '',
              url: req.url ?? '',
              status: answer.status,
              ms: performance.now() - startedAt,
              activation,
            });
          });
          queue = turn.catch(() => undefined);
          return turn;
        },
        (error: unknown) => {
          const tooLarge = error instanceof BodyTooLarge;
          send(res, req, {
            status: tooLarge ? 413 : 400,
            headers: [['content-type', 'application/json']],
            body: Buffer.from(
              JSON.stringify({
                error: tooLarge
                  ? `Request larger than allowed: more than ${BODY_LIMIT_BYTES} bytes.`
                  : 'Failed extracting request body.',
              }),
            ),
          });
        },
      )
      .catch((error: unknown) => {
        process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
        if (!res.headersSent) send(res, req, errorAnswer(500, 'Internal gateway error.'));
        else res.destroy();
      });
  });
}

async function serveOne(
  req: IncomingMessage,
  body: Buffer,
  options: GatewayOptions,
): Promise<{ answer: HttpAnswer; activation: RunOutcome | undefined }> {
  const url = new URL(req.url ?? '/', 'http://gateway');
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  }
  const requested = headers.find(
    ([name]) => name.toLowerCase() === 'access-control-request-headers',
  );
  const cors: Array<[string, string]> = [
    ...CORS_HEADERS,
    ['access-control-allow-headers', requested?.[1] ?? DEFAULT_ALLOW_HEADERS],
  ];
  if (req.method === 'OPTIONS') {
    return { answer: { status: 200, headers: cors, body: Buffer.alloc(0) }, activation: undefined };
  }
  const request: WebRequest = {
    method: req.method ?? 'GET',
    path: url.pathname === '/' ? '' : url.pathname,
    query: url.search.slice(1),
    headers,
    body,
  };
  const mapped = toParams(request, options.raw);
  if (mapped.kind === 'refused') {
    // A method the controller does not route never reaches the web-action directives' CORS.
    if (mapped.answer.status !== 405) mapped.answer.headers.push(...cors);
    return { answer: mapped.answer, activation: undefined };
  }
  const activation = await options.run(mapped.params);
  const answer = toAnswer(activation.status, activation.result);
  answer.headers.push(...cors, ['x-openwhisk-activation-id', activation.activationId]);
  return { answer, activation };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, req: IncomingMessage, answer: HttpAnswer): void {
  res.statusCode = answer.status;
  const grouped = new Map<string, string[]>();
  for (const [name, value] of answer.headers) {
    const key = name.toLowerCase();
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  for (const [name, values] of grouped)
    res.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  const empty = answer.status === 204 || answer.status === 304 || req.method === 'HEAD';
  if (!empty) res.setHeader('content-length', answer.body.length);
  res.end(empty ? undefined : answer.body);
}

export function errorAnswer(status: number, message: string): HttpAnswer {
  return {
    status,
    headers: [['content-type', 'application/json']],
    body: Buffer.from(JSON.stringify({ error: message })),
  };
}
