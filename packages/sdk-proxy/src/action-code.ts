import {
  type InitRequest,
  type LogStreams,
  MESSAGES,
  ProtocolError,
  writeSentinels,
} from '@owkit/runtime/core';
import { checkExecutable, installCode } from './install.js';

/**
 * The shared part of `/init` for both modes: code in place and runnable, or a 502 whose cause is
 * on stdout followed by a sentinel pair, so the invoker can tell where the init logs end.
 */
export async function prepareAction(
  request: InitRequest,
  execPath: string,
  logs: LogStreams,
): Promise<void> {
  try {
    // request.code is the raw JSON string literal; decoding it as a stream is still to come.
    const code = request.code === null ? null : JSON.parse(request.code.toString('utf8'));
    await installCode({ ...request.value, code }, execPath);
    await checkExecutable(execPath);
  } catch (error) {
    logs.stdout.write(`${(error as Error).message}\n`);
    writeSentinels(logs);
    throw new ProtocolError(502, MESSAGES.binaryFailed, { cause: error });
  }
}

/** Milliseconds until the earlier of the activation's deadline and the configured timeout. */
export function timeLeft(deadline: number, timeoutMs: number): number {
  const untilDeadline = deadline - Date.now();
  return timeoutMs > 0 ? Math.min(untilDeadline, timeoutMs) : untilDeadline;
}

/** setTimeout fires at once for delays past 2^31-1 ms; no action lives that long anyway. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;
