import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app.js';
import { reverseText } from '../src/reverse.js';

const BASE = 'http://example.test';

describe('the reverse-web app', () => {
  it('reverses by reverse-string rules: every vector of reverse-string-go agrees', () => {
    const file = JSON.parse(
      readFileSync(
        new URL('../../reverse-string-go/testdata/vectors.json', import.meta.url),
        'utf8',
      ),
    ) as { vectors: Array<{ request: string; response: string }> };
    let checked = 0;
    for (const vector of file.vectors) {
      const payload = (JSON.parse(vector.request) as { value?: { payload?: unknown } }).value
        ?.payload;
      const expected = (JSON.parse(vector.response) as { reversed?: string }).reversed;
      if (typeof payload !== 'string' || expected === undefined) continue;
      expect(reverseText(payload)).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('serves a page with a form that posts to reverse', async () => {
    const response = await app(new Request(`${BASE}/`));
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain('<form method="post" action="reverse">');
    expect(html).toContain('src="image.png?text=hello%2C%20world"');
  });

  it('answers the form with the reversed text, escaped', async () => {
    const response = await app(
      new Request(`${BASE}/reverse`, {
        method: 'POST',
        body: new URLSearchParams({ text: 'a<b 👋' }),
      }),
    );
    expect(await response.text()).toContain('<output id="reversed">👋 b&#60;a</output>');
  });

  it('answers JSON on GET and POST, and 400 without text', async () => {
    const get = await app(new Request(`${BASE}/api/reverse?text=abc`));
    expect(await get.json()).toStrictEqual({ reversed: 'cba' });
    const post = await app(
      new Request(`${BASE}/api/reverse`, {
        method: 'POST',
        body: JSON.stringify({ text: 'héllo' }),
      }),
    );
    expect(await post.json()).toStrictEqual({ reversed: 'olléh' });
    const missing = await app(new Request(`${BASE}/api/reverse`));
    expect([missing.status, await missing.json()]).toStrictEqual([
      400,
      { error: 'text must be a string' },
    ]);
  });

  it('makes a PNG, one 8×8 square per code point', async () => {
    const response = await app(new Request(`${BASE}/image.png?text=ab%F0%9F%91%8B`));
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(0, 8)).toStrictEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toStrictEqual([24, 8]);
    const idatLength = png.readUInt32BE(33);
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    expect(pixels.length).toBe(8 * (1 + 24 * 3));
    const a = 'a'.codePointAt(0) as number;
    expect([...pixels.subarray(1, 4)]).toStrictEqual([
      (a * 37) & 255,
      (a * 73) & 255,
      (a * 151) & 255,
    ]);
  });

  it('answers 405 for another method on a known path and 404 elsewhere', async () => {
    expect((await app(new Request(`${BASE}/api/reverse`, { method: 'DELETE' }))).status).toBe(405);
    expect((await app(new Request(`${BASE}/nowhere`))).status).toBe(404);
  });
});
