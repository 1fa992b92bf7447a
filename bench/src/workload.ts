/**
 * What each variant is asked and must answer. Every variant reverses a text; how the text
 * travels depends on the action: reverse-string takes `{"payload": …}` and answers
 * `{"reversed": …}`, the web examples take a web-action activation of `GET /api/reverse` and
 * answer `{statusCode, headers, body}` with the JSON body in base64 (docs/web-actions.md §2).
 */

/** The text every default workload reverses, and its reversal. */
export const TEXT = 'hello world';
export const REVERSED_TEXT = 'dlrow olleh';

export interface Workload {
  name: 'reverse-string' | 'reverse-web';
  /** The activation's params (`value` of the `/run` body) that ask to reverse `text`. */
  params(text: string): Record<string, unknown>;
  /** The exact `/run` answer for a request that reversed to `reversed`. */
  answer(reversed: string): string;
}

export const REVERSE_STRING: Workload = {
  name: 'reverse-string',
  params: (text) => ({ payload: text }),
  answer: (reversed) => JSON.stringify({ reversed }),
};

/**
 * The JSON endpoint of actions/reverse-web(-go) as the controller invokes it for
 * `GET /api/reverse?text=…` (non-raw: the query's fields are top-level params). The app's answer
 * is `application/json`, so its body is base64 in the result; the controller decodes it.
 */
export const REVERSE_WEB: Workload = {
  name: 'reverse-web',
  params: (text) => ({
    __ow_method: 'get',
    __ow_headers: { host: 'bench' },
    __ow_path: '/api/reverse',
    text,
  }),
  answer: (reversed) =>
    JSON.stringify({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ reversed })).toString('base64'),
    }),
};

/** The request every reverse-string variant answers: what the invoker sends for `{"payload":"hello world"}`. */
export const PARAMS = REVERSE_STRING.params(TEXT) as { payload: string };
export const EXPECTED_RESULT = REVERSE_STRING.answer(REVERSED_TEXT);

export const INIT_BODY = JSON.stringify({
  value: { name: 'reverse', main: 'main', binary: false, env: {} },
});

/** The `/run` body with the invoker's metadata; `deadlineMs` away from now. */
export function runBody(deadlineMs: number, params: Record<string, unknown> = PARAMS): string {
  return JSON.stringify({
    value: params,
    namespace: 'guest',
    action_name: 'reverse',
    action_version: '0.0.1',
    activation_id: '5f1c2a7e9b3d4e6fa1c2a7e9b3d4e6fa',
    transaction_id: 'owkitbenchtransactionid000000000',
    deadline: String(Date.now() + deadlineMs),
  });
}

/** A workload's default `/run` body: it reverses TEXT. */
export function defaultRunBody(workload: Workload, deadlineMs: number): string {
  return runBody(deadlineMs, workload.params(TEXT));
}

/**
 * A payload of exactly `bytes` ASCII letters (letters only: no server escapes them, so every
 * variant's answer is byte for byte the same), and the answer it must get.
 */
export function payloadOf(
  bytes: number,
  workload: Workload = REVERSE_STRING,
): { params: Record<string, unknown>; expected: string } {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const payload = letters.repeat(Math.ceil(bytes / letters.length)).slice(0, bytes);
  const reversed = [...payload].reverse().join('');
  return { params: workload.params(payload), expected: workload.answer(reversed) };
}

/** The blackbox proxy passes params as argv up to this many bytes of JSON, else on stdin only. */
export const BLACKBOX_ARGV_MAX_BYTES = 131_071;
