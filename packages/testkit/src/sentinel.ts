/**
 * The line an OpenWhisk runtime prints on stdout and stderr after each activation's logs. Written
 * out here, not imported from @owkit/protocol: the tests hold the servers to the platform's
 * string, not to their own.
 */
export const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

/** How many lines of `text` are exactly the sentinel (a trailing `\r` is tolerated). */
export function countSentinels(text: string): number {
  let count = 0;
  for (const line of text.split('\n')) {
    if (line === SENTINEL || line === `${SENTINEL}\r`) count += 1;
  }
  return count;
}
