/** The request every variant answers: what the invoker sends for `{"payload":"hello world"}`. */
export const PARAMS = { payload: 'hello world' };
export const EXPECTED_RESULT = '{"reversed":"dlrow olleh"}';

export const INIT_BODY = JSON.stringify({
  value: { name: 'reverse', main: 'main', binary: false, env: {} },
});

/** The `/run` body with the invoker's metadata; `deadlineMs` away from now. */
export function runBody(deadlineMs: number): string {
  return JSON.stringify({
    value: PARAMS,
    namespace: 'guest',
    action_name: 'reverse',
    action_version: '0.0.1',
    activation_id: '5f1c2a7e9b3d4e6fa1c2a7e9b3d4e6fa',
    transaction_id: 'owkitbenchtransactionid000000000',
    deadline: String(Date.now() + deadlineMs),
  });
}
