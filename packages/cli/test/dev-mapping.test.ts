import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpAnswer, MESSAGES, toAnswer, toParams } from '../src/dev/mapping.js';
import { REPO_ROOT } from './fixtures.js';

/** The cases docs/web-actions.md records, in its ```json web-… blocks. */
function docCases<T>(kind: string): T[] {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'web-actions.md'), 'utf8');
  const blocks = [...doc.matchAll(new RegExp(`\`\`\`json ${kind}\\n([\\s\\S]*?)\`\`\``, 'g'))];
  return blocks.map((block) => JSON.parse(block[1] as string) as T);
}

interface CaseRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: string;
  bodyBase64?: string;
}

const bodyOf = (r: { body?: string; bodyBase64?: string }) =>
  r.bodyBase64 !== undefined ? Buffer.from(r.bodyBase64, 'base64') : Buffer.from(r.body ?? '');

function webRequest(request: CaseRequest) {
  return { ...request, headers: Object.entries(request.headers), body: bodyOf(request) };
}

const requests = docCases<{ rule: string; raw: boolean; request: CaseRequest; params: object }>(
  'web-request',
);
const refusals = docCases<{
  rule: string;
  raw: boolean;
  request: CaseRequest;
  status: number;
  error?: string;
}>('web-refused');
const results = docCases<{
  rule: string;
  result: unknown;
  response: {
    status: number;
    headers?: Record<string, string | string[]>;
    body?: string;
    bodyBase64?: string;
    error?: string;
  };
}>('web-result');

describe('pnpm dev maps requests to params as docs/web-actions.md records', () => {
  it('has the documented cases', () => {
    expect(requests.length).toBeGreaterThanOrEqual(12);
    expect(refusals.length).toBeGreaterThanOrEqual(4);
    expect(results.length).toBeGreaterThanOrEqual(12);
  });

  it.each(requests.map((c) => [c.rule, c] as const))('%s', (_rule, c) => {
    const mapped = toParams(webRequest(c.request), c.raw);
    expect(mapped.kind).toBe('params');
    if (mapped.kind === 'params') expect(mapped.params).toStrictEqual(c.params);
  });

  it.each(refusals.map((c) => [c.rule, c] as const))('refused: %s', (_rule, c) => {
    const mapped = toParams(webRequest(c.request), c.raw);
    if (c.status === 0) {
      expect(mapped.kind).toBe('params');
      return;
    }
    expect(mapped.kind).toBe('refused');
    if (mapped.kind !== 'refused') return;
    expect(mapped.answer.status).toBe(c.status);
    const body = JSON.parse(mapped.answer.body.toString()) as { error: string };
    expect(typeof body.error).toBe('string');
    if (c.error !== undefined) expect(body.error).toBe(c.error);
  });
});

describe('pnpm dev maps results to HTTP answers as docs/web-actions.md records', () => {
  it.each(results.map((c) => [c.rule, c] as const))('%s', (_rule, c) => {
    const result = c.result as Record<string, unknown>;
    const isError = typeof result === 'object' && !Array.isArray(result) && 'error' in result;
    const answer = httpAnswer(isError ? result.error : result);
    expect(answer.status).toBe(c.response.status);
    if (c.response.error !== undefined) {
      expect(JSON.parse(answer.body.toString())).toStrictEqual({ error: c.response.error });
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of answer.headers) {
      const key = name.toLowerCase();
      const before = headers[key];
      headers[key] = before === undefined ? value : [...[before].flat(), value];
    }
    expect(headers).toStrictEqual(c.response.headers);
    expect(answer.body.equals(bodyOf(c.response))).toBe(true);
  });
});

describe('pnpm dev answers for the outcome of /run as the controller does', () => {
  const errorOf = (answer: { body: Buffer }) => JSON.parse(answer.body.toString()) as unknown;

  it('a failed activation (a 502 from /run) or one past its time limit: 400', () => {
    for (const status of [502, undefined]) {
      const answer = toAnswer(status, {
        error: 'The action did not return a dictionary or array.',
      });
      expect([answer.status, errorOf(answer)]).toStrictEqual([
        400,
        { error: MESSAGES.processingError },
      ]);
    }
  });

  it('an application error: its error is the answer', () => {
    const answer = toAnswer(200, { error: { statusCode: 504, body: 'Gateway Timeout' } });
    expect([answer.status, answer.body.toString()]).toStrictEqual([504, 'Gateway Timeout']);
    expect(toAnswer(200, { error: 'payload must be a string' }).status).toBe(400);
  });
});
