/**
 * The controller's side of a web action, as apache/openwhisk's WebActions.scala does it: an HTTP
 * request becomes the action's params, the action's result becomes the HTTP answer. The rules,
 * with their cases: docs/web-actions.md (which the tests read).
 */
import { Buffer } from 'node:buffer';
import { mediaTypeOf, webBodyKind } from '@owkit/runtime';

/** The methods the controller routes to web actions; others are refused with 405. */
export const WEB_METHODS = ['GET', 'DELETE', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'PATCH'] as const;

export interface WebRequest {
  method: string;
  /** What follows the action in the URL path: `__ow_path`. */
  path: string;
  /** The query string without `?`. */
  query: string;
  /** In the order received, names as sent. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** The controller's answer without running the action, or the params to run it with. */
export type Mapped =
  | { kind: 'params'; params: Record<string, unknown> }
  | { kind: 'refused'; answer: HttpAnswer };

export const MESSAGES = {
  reservedParams: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  malformedJson: 'The request content was malformed: the body is not valid JSON.',
  methodNotAllowed: `HTTP method not allowed, supported methods: ${WEB_METHODS.join(', ')}`,
  invalidHttp: "Response is not valid 'message/http'.",
  unknownContentType: 'Response did not specify a known content-type.',
  contentTypeMismatch: 'Response type in header did not match generated content type.',
  processingError: 'There was an error processing your request.',
} as const;

const RESERVED = /^__ow_/;

/** The request as the params the controller would send to `/run` (`--web true` or `raw`). */
export function toParams(request: WebRequest, raw: boolean): Mapped {
  const method = request.method.toUpperCase();
  if (!(WEB_METHODS as readonly string[]).includes(method)) {
    return refused(405, MESSAGES.methodNotAllowed);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  const params: Record<string, unknown> = {
    __ow_method: method.toLowerCase(),
    __ow_headers: headers,
    __ow_path: request.path,
  };
  const contentType = headers['content-type'];
  const kind = webBodyKind(contentType);
  const hasBody = request.body.length > 0;

  if (raw) {
    params.__ow_query = request.query;
    if (!hasBody) params.__ow_body = '';
    else params.__ow_body = kind === 'text' ? request.body.toString('utf8') : base64(request.body);
    return { kind: 'params', params };
  }

  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(request.query)) fields[key] = value;
  if (hasBody) {
    if (kind === 'json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.body.toString('utf8'));
      } catch {
        return refused(400, MESSAGES.malformedJson);
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        Object.assign(fields, parsed);
      } else {
        params.__ow_body = parsed;
      }
    } else if (mediaTypeOf(contentType) === 'application/x-www-form-urlencoded') {
      for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) {
        fields[key] = value;
      }
    } else {
      params.__ow_body = kind === 'text' ? request.body.toString('utf8') : base64(request.body);
    }
  }
  if (Object.keys(fields).some((key) => RESERVED.test(key))) {
    return refused(400, MESSAGES.reservedParams);
  }
  // Query and body fields first in the object, metadata last: only key order differs from the
  // controller's map, which has none.
  return { kind: 'params', params: { ...fields, ...params } };
}

/**
 * The answer for a `/run` exchange. `status` is `/run`'s HTTP status, or undefined when the
 * action gave none in time (the invoker's timeout).
 */
export function toAnswer(status: number | undefined, result: unknown): HttpAnswer {
  if (status !== 200 || typeof result !== 'object' || result === null) {
    return refused(400, MESSAGES.processingError).answer;
  }
  const isApplicationError = !Array.isArray(result) && 'error' in result;
  return httpAnswer(isApplicationError ? (result as { error: unknown }).error : result);
}

/** The controller's `.http` handling (`resultAsHttp`) of a result or an error's projection. */
export function httpAnswer(result: unknown): HttpAnswer {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return refused(400, MESSAGES.invalidHttp).answer;
  }
  const fields = result as Record<string, unknown>;
  const headers: Array<[string, string]> = [];
  if (fields.headers !== undefined) {
    if (
      typeof fields.headers !== 'object' ||
      fields.headers === null ||
      Array.isArray(fields.headers)
    ) {
      return refused(400, MESSAGES.invalidHttp).answer;
    }
    for (const [name, value] of Object.entries(fields.headers)) {
      const values = Array.isArray(value) ? value : [value];
      for (const one of values) {
        if (!['string', 'number', 'boolean'].includes(typeof one)) {
          return refused(400, MESSAGES.invalidHttp).answer;
        }
        headers.push([name, String(one)]);
      }
    }
  }
  let status: number | undefined;
  if (fields.statusCode !== undefined) {
    status = statusOf(fields.statusCode);
    if (status === undefined) return refused(400, MESSAGES.invalidHttp).answer;
  }
  const body = fields.body;
  const others = headers.filter(([name]) => name.toLowerCase() !== 'content-type');
  if (body === undefined || body === null || body === '') {
    return { status: status ?? 204, headers: others, body: Buffer.alloc(0) };
  }
  const declared = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (declared !== undefined && !isMediaType(declared)) {
    return refused(400, MESSAGES.unknownContentType).answer;
  }
  if (typeof body !== 'string') {
    if (declared !== undefined && webBodyKind(declared) !== 'json') {
      return refused(400, MESSAGES.contentTypeMismatch).answer;
    }
    return {
      status: status ?? 200,
      headers: [['content-type', declared ?? 'application/json'], ...others],
      body: Buffer.from(JSON.stringify(body)),
    };
  }
  const contentType = declared ?? 'text/html; charset=UTF-8';
  const kind = webBodyKind(contentType);
  let bytes: Buffer;
  if (kind === 'text' || (kind === 'json' && !looksLikeBase64(body))) {
    bytes = Buffer.from(body, 'utf8');
  } else if (looksLikeBase64(body)) {
    bytes = Buffer.from(body.trim(), 'base64');
  } else {
    return refused(400, MESSAGES.contentTypeMismatch).answer;
  }
  return {
    status: status ?? 200,
    headers: [['content-type', contentType], ...others],
    body: bytes,
  };
}

function statusOf(value: unknown): number | undefined {
  const code =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(code) && code >= 200 && code <= 599 ? code : undefined;
}

/** Whether the controller's base64 test (`Exec.isBinaryCode`) holds: non-empty, 4n characters. */
function looksLikeBase64(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length > 0 && trimmed.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(trimmed);
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^\\s*${TOKEN}/${TOKEN}\\s*(;.*)?$`);

function isMediaType(text: string): boolean {
  return MEDIA_TYPE.test(text);
}

function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/** An answer the controller gives itself: `{"error": message}` as JSON. */
function refused(status: number, message: string): { kind: 'refused'; answer: HttpAnswer } {
  return {
    kind: 'refused',
    answer: {
      status,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(JSON.stringify({ error: message })),
    },
  };
}
