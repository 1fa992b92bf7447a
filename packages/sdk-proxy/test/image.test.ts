import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageBytes, startContainer } from '@owkit/testkit';
import { expect, it } from 'vitest';

const STUB_ANSWER = { error: 'This is a stub action. Replace it with custom logic.' };
/** What the proxy adds to owkit/node-base: bundle, tini, busybox and the stub. */
const ADDED_BYTES_BUDGET = 6 * 1024 * 1024;

describeWithDocker('owkit/sdk-proxy images', () => {
  it('add only a few megabytes to the base image', async () => {
    const base = await imageBytes('owkit/node-base:24');
    for (const tag of ['owkit/sdk-proxy:latest', 'owkit/sdk-proxy:loop']) {
      expect((await imageBytes(tag)) - base).toBeLessThan(ADDED_BYTES_BUDGET);
    }
  });

  it(':latest answers with the stub, runs a shell script sent to /init, and stops cleanly', async () => {
    const container = await startContainer('owkit/sdk-proxy:latest');
    try {
      const stub = await request(container.url, '/run', runBody({}));
      expect(stub.status).toBe(200);
      expect(stub.json).toEqual(STUB_ANSWER);
      const init = await request(container.url, '/init', {
        value: {
          name: 'sh',
          main: 'main',
          binary: false,
          code: `#!/bin/sh\necho "working in $(pwd)"\necho "{\\"ok\\":1,\\"args\\":$1}"\n`,
        },
      });
      expect(init.status).toBe(200);
      const run = await request(container.url, '/run', runBody({ n: 7 }));
      expect(run.json).toEqual({ ok: 1, args: { n: 7 } });
      const stopped = await container.stop();
      expect(stopped.exitCode).toBe(0);
      expect(stopped.stopMs).toBeLessThan(5000);
      const logs = await container.logs();
      expect(logs.stdout).toContain('working in /action');
      expect(countSentinels(logs.stdout)).toBe(2);
      expect(countSentinels(logs.stderr)).toBe(2);
    } finally {
      await container.remove();
    }
  });

  it(':loop acknowledges its start and answers with the stub', async () => {
    const container = await startContainer('owkit/sdk-proxy:loop', {
      env: { __OW_WAIT_FOR_ACK: 'true' },
    });
    try {
      expect((await request(container.url, '/init', initBody())).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        expect((await request(container.url, '/run', runBody({}))).json).toEqual(STUB_ANSWER);
      }
      const stopped = await container.stop();
      expect(stopped.exitCode).toBe(0);
      const logs = await container.logs();
      expect(countSentinels(logs.stdout)).toBe(3);
      expect(countSentinels(logs.stderr)).toBe(3);
    } finally {
      await container.remove();
    }
  });
});
