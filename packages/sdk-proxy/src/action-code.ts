import {
  type InitRequest,
  type LogStreams,
  MESSAGES,
  ProtocolError,
  writeSentinels,
} from '@owkit/protocol';
import { installCode } from './install.js';
import { type Launch, launchFor } from './launch.js';
import type { UnzipLimits } from './unzip.js';

/**
 * The shared part of `/init` for both modes: code in place and runnable, or a 502 whose cause is
 * on stdout followed by a sentinel pair, so the invoker can tell where the init logs end.
 * Resolves to how to start the executable, which moves when the code had to go elsewhere.
 */
export async function prepareAction(
  request: InitRequest,
  execPath: string,
  limits: UnzipLimits,
  logs: LogStreams,
): Promise<Launch> {
  try {
    // The raw literal is decoded as a stream: a 48 MB zip is never a string in memory.
    const installed = await installCode(
      { code: request.code, binary: request.value.binary === true },
      execPath,
      limits,
      (line) => logs.stdout.write(`${line}\n`),
    );
    return await launchFor(installed);
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
