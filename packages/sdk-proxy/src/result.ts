import type { Writable } from 'node:stream';
import { MESSAGES, ProtocolError, RawJson } from '@owkit/protocol';

/**
 * The action's answer from its result line: a JSON object or array, checked and passed on as its
 * bytes, so numbers reach the caller as the action wrote them, at any depth JSON allows. Anything
 * else is a 502, and the line itself is kept in the logs since it is the only trace of what the
 * action meant.
 */
export function parseResultLine(line: string | Buffer, stdout: Writable): RawJson {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const result = RawJson.of(bytes);
  if (result !== undefined) return result;
  if (bytes.some((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)) {
    stdout.write(bytes[bytes.length - 1] === 0x0a ? bytes : Buffer.concat([bytes, NEWLINE]));
  }
  throw new ProtocolError(502, MESSAGES.notDictionaryResult);
}

const NEWLINE = Buffer.from('\n');
