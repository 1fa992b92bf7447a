import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageExists, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';
import { GREETING } from '../src/greet.js';

const image = 'owkit/template-ts-native:ts-native';

describeWithDocker(image, () => {
  it('answers /init and /run as the invoker expects, logs sentinels and stops gracefully', async () => {
    if (!(await imageExists(image))) {
      throw new Error(`${image} is not built: run pnpm --filter @owkit/template-ts-native image`);
    }
    const container = await startContainer(image);
    try {
      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      const run = await request(container.url, '/run', runBody({ name: 'Ada' }));
      expect([run.status, run.body]).toEqual([200, `{"greeting":"${GREETING}, Ada"}`]);

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
