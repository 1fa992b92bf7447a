import { Agent, request } from 'node:http';
import { runBody as buildRunBody, type RunRequestBody } from '@owkit/runtime/testing';

/** What the invoker sends to `/init` for an action created with `--docker <image>`. */
export function initBody(name: string): { value: Record<string, unknown> } {
  return { value: { name, main: 'main', binary: false, env: {} } };
}

export interface RunContext {
  namespace: string;
  actionName: string;
  timeoutMs: number;
}

/** A `/run` body as the invoker builds it, by the runtime's one builder: fresh ids, a deadline. */
export function runBody(params: unknown, context: RunContext): RunRequestBody {
  return buildRunBody(params, {
    namespace: context.namespace,
    actionName: context.actionName,
    deadlineMs: context.timeoutMs,
  });
}

export interface Exchange {
  status: number;
  /** The body as sent: JSON when it parses, else the text. */
  body: unknown;
  text: string;
  ms: number;
}

/**
 * Posts JSON over one kept-alive connection, as the invoker's container client does, and times
 * the whole exchange, body included. node:http rather than fetch: fetch loads its HTTP stack on
 * first use, which would land in the /init timing.
 */
export function post(
  url: string,
  body: unknown,
  signal: AbortSignal,
  agent: Agent,
): Promise<Exchange> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ms = performance.now() - startedAt;
          resolve({ status: res.statusCode ?? 0, body: parseOrText(text), text, ms });
        });
      },
    );
    req.once('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.end(payload);
  });
}

export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: a protocol violation the report shows as text.
    return text;
  }
}

/** The platform's rule: status 200 and no `error` key, else the activation failed. */
export function succeeded(exchange: Exchange): boolean {
  const { body } = exchange;
  const isObject = typeof body === 'object' && body !== null;
  return exchange.status === 200 && isObject && !(!Array.isArray(body) && 'error' in body);
}

/** `signal` (Ctrl-C), or `ms` from now, whichever comes first. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}
