/** The request every variant answers: what the invoker sends for `{"payload":"hello world"}`. */
export const PARAMS = { payload: 'hello world' };
export const EXPECTED_RESULT = '{"reversed":"dlrow olleh"}';

export const INIT_BODY = JSON.stringify({
  value: { name: 'reverse', main: 'main', binary: false, env: {} },
});

/** The `/run` body with the invoker's metadata; `deadlineMs` away from now. */
export function runBody(deadlineMs: number, params: { payload: string } = PARAMS): string {
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

/**
 * A payload of exactly `bytes` ASCII letters (letters only: no server escapes them, so every
 * variant's answer is byte for byte the same), and the answer it must get.
 */
export function payloadOf(bytes: number): { params: { payload: string }; expected: string } {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const payload = letters.repeat(Math.ceil(bytes / letters.length)).slice(0, bytes);
  const reversed = [...payload].reverse().join('');
  return { params: { payload }, expected: JSON.stringify({ reversed }) };
}

/** The blackbox proxy passes params as argv up to this many bytes of JSON, else on stdin only. */
export const BLACKBOX_ARGV_MAX_BYTES = 131_071;
