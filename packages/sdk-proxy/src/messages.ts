/** Answers the proxy adds to the protocol core's MESSAGES. */
export const PROXY_MESSAGES = {
  couldNotStart: 'The action process could not start. See logs for details.',
  outputTooLarge: (stream: 'stdout' | 'stderr' | 'result', limitBytes: number) =>
    `The action's output was too large: more than ${limitBytes} bytes on ${stream}.`,
} as const;
