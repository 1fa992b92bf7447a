import { deflateSync } from 'node:zlib';

/** Pixels per code point, and the most code points drawn. */
export const BLOCK = 8;
export const MAX_BLOCKS = 64;

/**
 * A strip of coloured squares, one per code point of `text` (at most 64), as a PNG made on the
 * fly: the image endpoint's answer, and the proof that binary bodies get through.
 */
export function stripPng(text: string): Uint8Array {
  const points = Array.from(text, (c) => c.codePointAt(0) as number).slice(0, MAX_BLOCKS);
  if (points.length === 0) points.push(0);
  const width = points.length * BLOCK;
  const rows: number[] = [];
  for (let y = 0; y < BLOCK; y++) {
    rows.push(0); // filter type 0: the row as it is
    for (const point of points) {
      const [r, g, b] = colourOf(point);
      for (let x = 0; x < BLOCK; x++) rows.push(r, g, b);
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, BLOCK);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter set, no interlace
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Uint8Array.from(rows))),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The same colour for the same code point in both examples (TS and Go). */
export function colourOf(point: number): [number, number, number] {
  return [(point * 37) & 255, (point * 73) & 255, (point * 151) & 255];
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
