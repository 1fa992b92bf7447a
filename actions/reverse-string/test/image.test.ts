import { readFile } from 'node:fs/promises';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import { countSentinels, describeWithDocker, imageBytes, startContainer } from '@owkit/testkit';
import { execa } from 'execa';
import { expect, it } from 'vitest';

const image = 'owkit/reverse-string:ts-native';
const base = 'owkit/node-base:24';

describeWithDocker('the ts-native image', () => {
  it('adds at most 100 KB to its base', async () => {
    const added = (await imageBytes(image)) - (await imageBytes(base));
    expect(added).toBeLessThanOrEqual(100 * 1024);
  });

  it('serves the protocol as a non-root user, logs sentinels and stops gracefully', async () => {
    const container = await startContainer(image);
    try {
      const { stdout: pid } = await execa('docker', [
        'inspect',
        '-f',
        '{{.State.Pid}}',
        container.id,
      ]);
      const status = await readFile(`/proc/${pid.trim()}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+10001\s/m);

      expect((await request(container.url, '/init', initBody())).body).toBe('{"ok":true}');
      const run = await request(container.url, '/run', runBody({ payload: 'hello world' }));
      expect(run.body).toBe('{"reversed":"dlrow olleh"}');
      expect(run.headers['content-length']).toBe(String(run.body.length));
      expect((await request(container.url, '/init', initBody())).status).toBe(403);
      await request(container.url, '/run', runBody({ payload: 'again' }));

      const stopped = await container.stop(10);
      expect(stopped.exitCode).toBe(0);
      // Without its own SIGTERM handling, PID 1 would wait out docker stop's 10 s.
      expect(stopped.stopMs).toBeLessThan(5_000);
      const logs = await container.logs();
      expect(countSentinels(logs.stdout)).toBe(2);
      expect(countSentinels(logs.stderr)).toBe(2);
    } finally {
      await container.remove();
    }
  });
});
