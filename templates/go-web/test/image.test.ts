import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageExists, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';

const image = 'owkit/template-go-web:go-native';

describeWithDocker(image, () => {
  it('answers a web request as the controller sends it, logs sentinels and stops gracefully', async () => {
    if (!(await imageExists(image))) {
      throw new Error(`${image} is not built: run pnpm --filter @owkit/template-go-web image`);
    }
    const container = await startContainer(image);
    try {
      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      const params = { __ow_method: 'get', __ow_headers: {}, __ow_path: '', name: 'Ada' };
      const run = await request(container.url, '/run', runBody(params));
      expect(run.status).toBe(200);
      // The greeting itself is the app's, checked by app_test.go: here, that it arrives.
      expect((run.json as { body: string }).body).toMatch(/<h1>\w+, Ada<\/h1>/);

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
