import { Buffer } from 'node:buffer';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageExists, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';

const image = 'owkit/reverse-web:go-native';
const web = (method: string, path: string, more: Record<string, unknown> = {}) => ({
  __ow_method: method,
  __ow_headers: { host: 'example.test' },
  __ow_path: path,
  ...more,
});

describeWithDocker(image, () => {
  it('serves the page, the JSON endpoint and the PNG as web action results', async () => {
    if (!(await imageExists(image))) {
      throw new Error(`${image} is not built: run pnpm --filter @owkit/reverse-web-go image`);
    }
    const container = await startContainer(image);
    try {
      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      const page = await request(container.url, '/run', runBody(web('get', '')));
      expect(page.json).toMatchObject({
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      });
      const api = await request(
        container.url,
        '/run',
        runBody(web('get', '/api/reverse', { text: 'abc' })),
      );
      const body = (api.json as { body: string }).body;
      expect(Buffer.from(body, 'base64').toString()).toBe('{"reversed":"cba"}');
      const png = await request(
        container.url,
        '/run',
        runBody(web('get', '/image.png', { text: 'a' })),
      );
      const bytes = Buffer.from((png.json as { body: string }).body, 'base64');
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');

      expect((await container.stop(10)).exitCode).toBe(0);
      const logs = await container.logs();
      expect(countSentinels(logs.stdout)).toBe(3);
      expect(countSentinels(logs.stderr)).toBe(3);
    } finally {
      await container.remove();
    }
  });
});
