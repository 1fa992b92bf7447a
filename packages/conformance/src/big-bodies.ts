import { randomBytes } from 'node:crypto';
import { runBody } from '@owkit/runtime/testing';
import { buildZip } from './zip.js';

/** The protocol's largest request body: 64 MiB, inclusive. */
export const BODY_LIMIT = 64 * 1024 * 1024;

const ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyz');

/**
 * A `/run` body of exactly `size` bytes whose params hold `key` = a string that fills it (ASCII
 * letters, so reversing it changes it), the other params as given. Returns the body and the
 * filler, so a test can compute the expected answer without a second copy of the body.
 */
export function runBodyFilling(
  size: number,
  key: string,
  otherParams: Record<string, unknown> = {},
): { body: Buffer; filler: Buffer } {
  const text = JSON.stringify(runBody({ ...otherParams, [key]: '' }));
  const slot = text.indexOf(`${JSON.stringify(key)}:""`) + JSON.stringify(key).length + 2;
  const head = Buffer.from(text.slice(0, slot));
  const tail = Buffer.from(text.slice(slot));
  const fillerBytes = size - head.length - tail.length;
  const body = Buffer.alloc(size);
  head.copy(body, 0);
  for (let i = 0; i < fillerBytes; i += ALPHABET.length) {
    ALPHABET.copy(body, head.length + i, 0, Math.min(ALPHABET.length, fillerBytes - i));
  }
  tail.copy(body, head.length + fillerBytes);
  return { body, filler: body.subarray(head.length, head.length + fillerBytes) };
}

/** `{"reversed":"<filler reversed>"}`: the reverse-string answer for an ASCII payload. */
export function reversedAnswer(filler: Buffer): Buffer {
  const head = Buffer.from('{"reversed":"');
  const tail = Buffer.from('"}');
  const out = Buffer.alloc(head.length + filler.length + tail.length);
  head.copy(out, 0);
  for (let i = 0; i < filler.length; i++) {
    out[head.length + i] = filler[filler.length - 1 - i] as number;
  }
  tail.copy(out, head.length + filler.length);
  return out;
}

/**
 * The largest `/init` body that fits the limit: a zip of `exec` and `filler` random (so
 * incompressible) bytes, base64-encoded in JSON — the platform's 48 MB code zip, give or take
 * the JSON around it. Returns the body and the zip's size.
 */
export function largestZipInitBody(exec: string): { body: Buffer; zipBytes: number } {
  const wrapper = (code: string) =>
    JSON.stringify({ value: { name: 'big', main: 'main', binary: true, code } });
  const maxZip = Math.floor((BODY_LIMIT - wrapper('').length) / 4) * 3;
  const overhead = buildZip([
    { name: 'exec', data: exec, mode: 0o755 },
    { name: 'filler.bin', data: Buffer.alloc(0) },
  ]).length;
  const random = randomBytes(maxZip - overhead);
  const zip = buildZip([
    { name: 'exec', data: exec, mode: 0o755 },
    { name: 'filler.bin', data: random },
  ]);
  return { body: Buffer.from(wrapper(zip.toString('base64'))), zipBytes: zip.length };
}
