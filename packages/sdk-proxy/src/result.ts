import type { Writable } from 'node:stream';
import { isDictionaryOrArray, MESSAGES, ProtocolError } from '@owkit/runtime/core';

/**
 * The action's answer from its result line: a JSON object or array. Anything else is a 502, and
 * the line itself is kept in the logs since it is the only trace of what the action meant.
 */
export function parseResultLine(line: string, stdout: Writable): unknown {
  const text = line.trim();
  let parsed: unknown;
  let isJson = false;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      // Not JSON: handled below like a scalar, with the line kept in the logs.
    }
  }
  if (isJson && isDictionaryOrArray(parsed)) return parsed;
  if (text.length > 0) stdout.write(line.endsWith('\n') ? line : `${line}\n`);
  throw new ProtocolError(502, MESSAGES.notDictionaryResult);
}
