/** Every error string and marker the protocol pins, in one place so all servers say the same. */
export const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

export const MESSAGES = {
  notFound: 'Not found.',
  methodNotAllowed: 'Method not allowed.',
  bodyTooLarge: 'Request body too large.',
  invalidJson: 'Request body is not valid JSON.',
  reinit: 'Cannot initialize the action more than once.',
  notDictionaryArgument: 'The action did not receive a dictionary or array as an argument.',
  notDictionaryResult: 'The action did not return a dictionary or array.',
  binaryFailed: 'The action failed to generate or locate a binary. See logs for details.',
  binaryMissing: 'The action failed to locate a binary. See logs for details.',
  deadlineExceeded: 'The action exceeded its deadline.',
  processExited: 'The action process exited unexpectedly.',
  badRequest: 'Bad request.',
  requestTimeout: 'The request did not arrive in time.',
  expectationFailed: 'Expectation failed: only "Expect: 100-continue" is supported.',
} as const;

/** 64 MiB, inclusive: init code can be 48 MB of base64 inside JSON. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
