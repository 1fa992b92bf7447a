import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageExists, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';

const image = 'owkit/template-go-actionloop:go-actionloop';

describeWithDocker(image, () => {
  it('answers /init and /run as the invoker expects, logs sentinels and stops gracefully', async () => {
    if (!(await imageExists(image))) {
      throw new Error(
        `${image} is not built: run pnpm --filter @owkit/template-go-actionloop image`,
      );
    }
    const container = await startContainer(image);
    try {
      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      // The greeting itself is the handler's, checked by greet_test.go: here, that it arrives.
      const run = await request(container.url, '/run', runBody({ name: 'Ada' }));
      expect(run.status).toBe(200);
      expect(run.json).toEqual({ greeting: expect.stringMatching(/, Ada$/) });
      const refused = await request(container.url, '/run', runBody({ name: 42 }));
      expect([refused.status, refused.json]).toEqual([200, { error: expect.any(String) }]);

      const stopped = await container.stop(10);
      expect(stopped.exitCode).toBe(0);
      const logs = await container.logs();
      expect(countSentinels(logs.stdout)).toBe(2);
      expect(countSentinels(logs.stderr)).toBe(2);
    } finally {
      await container.remove();
    }
  });
});
