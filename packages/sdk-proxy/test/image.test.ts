import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MESSAGES } from '@owkit/protocol';
import { initBody, request, runBody } from '@owkit/runtime/testing';
import {
  countSentinels,
  describeWithDocker,
  imageBytes,
  type RunningContainer,
  startContainer,
} from '@owkit/testkit';
import { execa } from 'execa';
import { zipSync } from 'fflate';
import { expect, it } from 'vitest';
import { zerosBomb } from './zip-bomb.js';

const STUB_ANSWER = { error: 'This is a stub action. Replace it with custom logic.' };
/** What the proxy adds to owkit/node-base: bundle, tini, busybox and the stub. */
const ADDED_BYTES_BUDGET = 6 * 1024 * 1024;

describeWithDocker('owkit/sdk-proxy images', () => {
  it('add only a few megabytes to the base image', async () => {
    const base = await imageBytes('owkit/node-base:24');
    for (const tag of ['owkit/sdk-proxy:blackbox', 'owkit/sdk-proxy:actionloop']) {
      expect((await imageBytes(tag)) - base).toBeLessThan(ADDED_BYTES_BUDGET);
    }
  });

  it(':latest is :blackbox, so `FROM owkit/sdk-proxy` gets the blackbox proxy', async () => {
    const imageId = async (tag: string) =>
      (await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).stdout;
    expect(await imageId('owkit/sdk-proxy:latest')).toBe(await imageId('owkit/sdk-proxy:blackbox'));
  });

  it(':blackbox answers with the stub, runs a shell script sent to /init, and stops cleanly', async () => {
    const container = await startContainer('owkit/sdk-proxy:blackbox');
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

  it(':blackbox starts children through its spawn helper, /opt/owkit/owkit-spawn', async () => {
    const container = await startContainer('owkit/sdk-proxy:blackbox');
    try {
      const init = await request(container.url, '/init', {
        value: {
          name: 'sh',
          main: 'main',
          binary: false,
          code: '#!/bin/sh\necho "{\\"parent\\":\\"$(cat /proc/$PPID/comm)\\"}"\n',
        },
      });
      expect(init.status).toBe(200);
      const run = await request(container.url, '/run', runBody({}));
      expect(run.json).toEqual({ parent: 'owkit-spawn' });
    } finally {
      await container.remove();
    }
  });

  it(':actionloop acknowledges its start and answers with the stub', async () => {
    const container = await startContainer('owkit/sdk-proxy:actionloop', {
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

  /** Answers in either mode with the size of the file beside it, so /run proves the unpack. */
  const SIZE_ACTION = `#!/bin/sh
answer() { echo "{\\"bytes\\":$(wc -c < random.bin),\\"cwd\\":\\"$(pwd)\\"}"; }
if [ "$OWKIT_MODE" = actionloop ]; then
  while read -r _request; do answer >&3; done
else
  answer
fi
`;
  const zipInit = (zip: Uint8Array) => ({
    value: { name: 'zip', main: 'main', binary: true, code: Buffer.from(zip).toString('base64') },
  });

  /** cgroup v1's high-water mark of the container's memory (page cache included). */
  async function peakMemoryMiB(container: RunningContainer): Promise<string> {
    const path = `/sys/fs/cgroup/memory/docker/${container.id}/memory.max_usage_in_bytes`;
    const bytes = await readFile(path, 'utf8').catch(() => undefined);
    return bytes === undefined
      ? 'unknown (no cgroup v1 file)'
      : `${(Number(bytes) / 2 ** 20).toFixed(1)} MiB`;
  }

  it.each(['owkit/sdk-proxy:blackbox', 'owkit/sdk-proxy:actionloop'])(
    '%s initialises a 48 MB incompressible zip under 256 MB, then runs it',
    async (image) => {
      const zip = zipSync({
        exec: [Buffer.from(SIZE_ACTION), { level: 0, os: 3, attrs: (0o100755 << 16) >>> 0 }],
        'random.bin': [randomBytes(47_900_000), { level: 0 }],
      });
      expect(zip.length).toBeGreaterThan(47_900_000);
      const container = await startContainer(image);
      try {
        const init = await request(container.url, '/init', zipInit(zip));
        expect(init.status).toBe(200);
        const run = await request(container.url, '/run', runBody({}));
        expect(run.json).toEqual({ bytes: 47_900_000, cwd: '/action' });
        console.log(
          `${image}: 48 MB zip /init + /run, peak container memory ${await peakMemoryMiB(container)}`,
        );
      } finally {
        await container.remove();
      }
    },
    120_000,
  );

  it.each(['owkit/sdk-proxy:blackbox', 'owkit/sdk-proxy:actionloop'])(
    '%s unpacks code under /tmp with a read-only root',
    async (image) => {
      const container = await startContainer(image, {
        extraArgs: ['--read-only', '--tmpfs', '/tmp'],
      });
      try {
        const zip = zipSync({
          exec: [Buffer.from(SIZE_ACTION), { os: 3, attrs: (0o100755 << 16) >>> 0 }],
          'random.bin': Buffer.alloc(1000, 7),
        });
        expect((await request(container.url, '/init', zipInit(zip))).status).toBe(200);
        const run = await request(container.url, '/run', runBody({}));
        expect(run.json).toMatchObject({
          bytes: 1000,
          cwd: expect.stringMatching(/^\/tmp\/owkit-action-/),
        });
        expect((await container.logs()).stdout).toMatch(/\/action is not writable \(EROFS\)/);
      } finally {
        await container.remove();
      }
    },
  );

  it('answers a zip bomb 502 within seconds, leaving nothing behind', async () => {
    const bomb = await zerosBomb('exec', 1024 ** 3);
    const container = await startContainer('owkit/sdk-proxy:blackbox');
    try {
      const started = performance.now();
      const init = await request(container.url, '/init', zipInit(bomb));
      const answerMs = performance.now() - started;
      expect(init.status).toBe(502);
      expect(init.json).toEqual({ error: MESSAGES.binaryFailed });
      expect(answerMs).toBeLessThan(5000);
      const listing = await execa('docker', ['exec', container.id, 'ls', '-A', '/action', '/tmp']);
      expect(listing.stdout.split(/\s+/).filter((name) => name.startsWith('.owkit'))).toEqual([]);
      expect((await container.logs()).stdout).toMatch(/--unzip-max-bytes/);
      console.log(
        `zip bomb (1 GiB of zeros, ${bomb.length} bytes zipped): 502 in ${answerMs.toFixed(0)} ms`,
      );
    } finally {
      await container.remove();
    }
  }, 60_000);

  /** Node in the image, hogging memory when asked until the kernel steps in. */
  const HOG = `#!/usr/bin/env node
const hold = [];
const answer = (params) => {
  if (params.hog) for (;;) hold.push(Buffer.alloc(16 * 1024 * 1024, 1));
  return '{"ok":true}';
};
if (process.env.OWKIT_MODE === 'actionloop') {
  require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
    require('node:fs').writeSync(3, answer(JSON.parse(line).value) + '\\n');
  });
} else {
  console.log(answer(JSON.parse(process.argv[2])));
}
`;

  it.each(['owkit/sdk-proxy:blackbox', 'owkit/sdk-proxy:actionloop'])(
    '%s: a child that outgrows 256 MB is killed, not the proxy, which keeps serving',
    async (image) => {
      const container = await startContainer(image);
      try {
        const init = await request(container.url, '/init', {
          value: { name: 'hog', main: 'main', binary: false, code: HOG },
        });
        expect(init.status).toBe(200);
        const hog = await request(container.url, '/run', runBody({ hog: true }));
        expect(hog.status).toBe(502);
        expect((await request(container.url, '/run', runBody({}))).json).toEqual({ ok: true });
        expect((await container.logs()).stderr).toMatch(/killed by SIGKILL/);
      } finally {
        await container.remove();
      }
    },
    60_000,
  );
});
