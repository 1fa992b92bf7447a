import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageExists, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';
import { GREETING } from '../src/app.js';

const image = 'owkit/template-ts-web:ts-native';

describeWithDocker(image, () => {
  it('answers a web request as the controller sends it, logs sentinels and stops gracefully', async () => {
    if (!(await imageExists(image))) {
      throw new Error(`${image} is not built: run pnpm --filter @owkit/template-ts-web image`);
    }
    const container = await startContainer(image);
    try {
      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      const params = { __ow_method: 'get', __ow_headers: {}, __ow_path: '', name: 'Ada' };
      const run = await request(container.url, '/run', runBody(params));
      expect(run.status).toBe(200);
      expect((run.json as { body: string }).body).toContain(`${GREETING}, Ada`);

      const stopped = await container.stop(10);
      expect(stopped.exitCode).toBe(0);
      const logs = await container.logs();
      expect(countSentinels(logs.stdout)).toBe(1);
      expect(countSentinels(logs.stderr)).toBe(1);
    } finally {
      await container.remove();
    }
  });
});
