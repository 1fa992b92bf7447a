/**
 * Web actions: a Fetch API app (`(request) => Response`, what Hono and other routers expose as
 * `app.fetch`) served as an OpenWhisk web action. The controller turns each HTTP request into
 * params (`__ow_method`, `__ow_headers`, `__ow_path`, and the query and body either merged into
 * the params or, for `--web raw`, kept as `__ow_query` and `__ow_body`) and turns the result's
 * `statusCode`, `headers` and `body` back into the HTTP answer. `web()` does the inverse on the
 * action's side. Every rule, with its source in the controller: docs/web-actions.md.
 */
import { Buffer } from 'node:buffer';
import type { Context, Handler } from './handler.js';

/** A Fetch API handler, such as Hono's `app.fetch`. The context is the activation's. */
export type FetchHandler = (request: Request, ctx: Context) => Response | Promise<Response>;

/** What a web action returns for the controller's `.http` handling. */
export interface WebResult {
  statusCode: number;
  /** Lower-case names; a list is sent as that header repeated (Set-Cookie). */
  headers: Record<string, string | string[]>;
  /** Text for textual content types, base64 for the rest (see webBodyKind). */
  body: string;
}

/**
 * How a body of this content type travels between the controller and an action, as the
 * controller's HTTP library classifies media types:
 * - `json`: application/json and `+json` types. A request body is parsed into the params
 *   (non-raw) or sent as base64 (raw); a result body may be base64, which the controller decodes.
 * - `text`: text/*, form data, XML, XHTML, JavaScript: sent as the text itself.
 * - `binary`: everything else, no content type included (image/svg+xml too): base64.
 */
export type WebBodyKind = 'json' | 'text' | 'binary';

const TEXTUAL_APPLICATION_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/xhtml+xml',
  'application/javascript',
]);

export function webBodyKind(contentType: string | null | undefined): WebBodyKind {
  const media = mediaTypeOf(contentType);
  if (media === '') return 'binary';
  if (media === 'application/json' || media.endsWith('+json')) return 'json';
  if (media.startsWith('text/') || TEXTUAL_APPLICATION_TYPES.has(media)) return 'text';
  return 'binary';
}

/** `Text/HTML; charset=utf-8` → `text/html`. */
export function mediaTypeOf(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The params the controller reserves; they never reach the app as query or body fields. */
const RESERVED = /^__ow_/;
const BODILESS_METHODS = new Set(['GET', 'HEAD']);
/** Headers the adapter recomputes: the body it rebuilds may differ in length from the original. */
const DROPPED_REQUEST_HEADERS = new Set(['content-length', 'transfer-encoding']);

/** Thrown (and answered 400) when the params are not what the controller sends. */
class WebParamsError extends Error {}

/**
 * Wraps a Fetch handler as an action handler for `--web true` and `--web raw` alike. The app's
 * Response — its stream read to the end — becomes `{statusCode, headers, body}`. An app that
 * throws or returns something other than a Response answers 500, and one still running at the
 * deadline 504, both as application errors whose `error` the controller sends as the HTTP answer
 * (the platform itself answers a timed-out activation with its own 400 first).
 */
export function web(app: FetchHandler): Handler<Record<string, unknown>> {
  return async (params, ctx) => {
    let request: Request;
    try {
      request = toRequest(params, ctx.signal);
    } catch (error) {
      if (!(error instanceof WebParamsError)) throw error;
      return { error: plain(400, error.message) };
    }
    let response: unknown;
    try {
      response = await untilAborted(
        Promise.resolve().then(() => app(request, ctx)),
        ctx.signal,
      );
    } catch (error) {
      if (ctx.signal.aborted) {
        process.stderr.write('web: the app had not answered by the deadline\n');
        return { error: plain(504, 'Gateway Timeout') };
      }
      process.stderr.write(`web: the app threw: ${describe(error)}\n`);
      return { error: plain(500, 'Internal Server Error') };
    }
    if (!(response instanceof Response)) {
      process.stderr.write(`web: the app returned ${typeName(response)}, not a Response\n`);
      return { error: plain(500, 'Internal Server Error') };
    }
    try {
      return { ...(await toResult(response, request.method)) };
    } catch (error) {
      process.stderr.write(`web: reading the app's response body failed: ${describe(error)}\n`);
      return { error: plain(500, 'Internal Server Error') };
    }
  };
}

/** Rebuilds the HTTP request the controller received from the params it sent. */
export function toRequest(
  params: Record<string, unknown> | unknown[],
  signal?: AbortSignal,
): Request {
  if (Array.isArray(params) || typeof params.__ow_method !== 'string') {
    throw new WebParamsError(
      'This is a web action: call it through /api/v1/web/… (its params carry no __ow_method).',
    );
  }
  const method = params.__ow_method.toUpperCase();
  const headers = new Headers();
  const sent = params.__ow_headers;
  if (typeof sent === 'object' && sent !== null && !Array.isArray(sent)) {
    for (const [name, value] of Object.entries(sent)) {
      if (DROPPED_REQUEST_HEADERS.has(name.toLowerCase())) continue;
      if (typeof value === 'string') headers.append(name, value);
    }
  }
  const path = typeof params.__ow_path === 'string' ? params.__ow_path : '';
  const url = new URL(`http://${headers.get('host') ?? 'localhost'}`);
  url.pathname = path === '' ? '/' : path;
  const raw = typeof params.__ow_query === 'string';
  const kind = webBodyKind(headers.get('content-type'));
  const canHaveBody = !BODILESS_METHODS.has(method);
  let body: Uint8Array | string | undefined;

  if (raw) {
    url.search = params.__ow_query as string;
    const text = typeof params.__ow_body === 'string' ? params.__ow_body : '';
    if (text !== '') body = kind === 'text' ? text : decodeBase64(text);
  } else {
    const fields = Object.entries(params).filter(([key]) => !RESERVED.test(key));
    const form = mediaTypeOf(headers.get('content-type')) === 'application/x-www-form-urlencoded';
    if ('__ow_body' in params) {
      const value = params.__ow_body;
      if (kind === 'json') body = JSON.stringify(value);
      else if (typeof value === 'string') body = kind === 'text' ? value : decodeBase64(value);
      url.search = searchOf(fields);
    } else if (canHaveBody && kind === 'json' && fields.length > 0) {
      body = JSON.stringify(Object.fromEntries(fields));
    } else if (canHaveBody && form && fields.length > 0) {
      body = searchOf(fields);
    } else {
      url.search = searchOf(fields);
    }
  }
  return new Request(url, {
    method,
    headers,
    ...(body !== undefined && canHaveBody ? { body } : {}),
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Collects the Response (a stream read to its end) into the result the controller expects. */
export async function toResult(response: Response, method = 'GET'): Promise<WebResult> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue;
    headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0)
    headers['set-cookie'] = cookies.length === 1 ? (cookies[0] as string) : cookies;
  const bytes = method === 'HEAD' ? new Uint8Array() : new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0) return { statusCode: response.status, headers, body: '' };
  if (headers['content-type'] === undefined) headers['content-type'] = 'application/octet-stream';
  const kind = webBodyKind(headers['content-type'] as string);
  // JSON goes as base64 too: the controller decodes a JSON body that looks like base64, so JSON
  // text such as `true` or `1234` would otherwise be decoded into garbage.
  const body =
    kind === 'text' ? Buffer.from(bytes).toString('utf8') : Buffer.from(bytes).toString('base64');
  return { statusCode: response.status, headers, body };
}

function searchOf(fields: ReadonlyArray<readonly [string, unknown]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of fields) {
    search.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return search.toString();
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new WebParamsError('__ow_body is not valid base64 for its content type.');
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

function plain(statusCode: number, text: string): WebResult {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

/** Rejects when the signal aborts; the app keeps running but is no longer waited for. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
