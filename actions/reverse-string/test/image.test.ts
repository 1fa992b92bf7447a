import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
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
      // PID 1 is tini, which reaps whatever a handler spawns and leaves; node is its child.
      const init = await readFile(`/proc/${pid.trim()}/cmdline`, 'utf8');
      expect(init.split('\0')[0]).toBe('/sbin/tini');
      const children = await readFile(`/proc/${pid.trim()}/task/${pid.trim()}/children`, 'utf8');
      const node = await readFile(`/proc/${children.trim()}/cmdline`, 'utf8');
      expect(node.split('\0').slice(0, 2)).toEqual(['/usr/local/bin/node', '/app/action.mjs']);

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

  it('answers two 64 MiB bodies in a row inside 256 MB (a payload, then padding)', async () => {
    const container = await startContainer(image);
    try {
      const size = 64 * 1024 * 1024;
      const payload = Buffer.alloc(size, 'a');
      payload.write('{"value":{"payload":"', 0);
      payload.write('"}}', size - 3);
      const first = await post(container.url, payload);
      expect(first.status).toBe(200);
      expect(first.body.length).toBe(size - 24 + '{"reversed":""}'.length);
      expect(first.body.subarray(0, 16).toString()).toBe('{"reversed":"aaa');
      const padded = Buffer.alloc(size, 'x');
      padded.write('{"value":{"payload":"abc"},"pad":"', 0);
      padded.write('"}', size - 2);
      const second = await post(container.url, padded);
      expect(second.body.toString()).toBe('{"reversed":"cba"}');
      const peak = await peakMemoryBytes(container.id);
      console.log(
        `ts-native peak memory for two 64 MiB bodies: ${(peak / 2 ** 20).toFixed(1)} MiB`,
      );
      expect(peak).toBeLessThan(256 * 1024 * 1024);
    } finally {
      await container.remove();
    }
  }, 120_000);
});

/** A POST with a Content-Length, its answer as bytes (fetch would copy the body twice more). */
function post(url: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/run`, {
      method: 'POST',
      headers: { 'content-length': body.length },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The container's peak memory (cgroup v1 max_usage_in_bytes, or v2 memory.peak). */
async function peakMemoryBytes(id: string): Promise<number> {
  for (const path of [
    `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
  ]) {
    try {
      return Number(await readFile(path, 'utf8'));
    } catch {
      // The other cgroup layout.
    }
  }
  throw new Error(`no cgroup memory figures for container ${id}`);
}
