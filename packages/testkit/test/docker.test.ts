import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildImage,
  describeWithDocker,
  freePort,
  imageBytes,
  imageExists,
  StartError,
  startContainer,
} from '../src/index.js';

const fixtureDir = fileURLToPath(new URL('./fixtures/port-server-go/', import.meta.url));
const image = 'owkit/testkit-fixture:test';

describeWithDocker('docker helpers', () => {
  let stagingDir = '';

  beforeAll(async () => {
    // The fixture is a static Go binary on scratch: no base image has to be pulled.
    stagingDir = await mkdtemp(join(tmpdir(), 'owkit-testkit-'));
    await execa(
      'go',
      ['build', '-trimpath', '-ldflags=-s -w', '-o', join(stagingDir, 'port-server'), '.'],
      {
        cwd: fixtureDir,
        // A module of its own, outside the repo's go.work.
        env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOWORK: 'off' },
      },
    );
    await copyFile(join(fixtureDir, 'Dockerfile'), join(stagingDir, 'Dockerfile'));
    await buildImage(stagingDir, image);
  }, 180_000);

  afterAll(async () => {
    if (stagingDir !== '') await rm(stagingDir, { recursive: true, force: true });
  });

  it('knows which images exist and how big they are', async () => {
    expect(await imageExists(image)).toBe(true);
    expect(await imageExists('owkit/no-such-image:never')).toBe(false);
    const bytes = await imageBytes(image);
    expect(bytes).toBeGreaterThan(100_000);
    expect(bytes).toBeLessThan(20_000_000);
  });

  it('runs a labelled container on the host network, then stops and removes it', async () => {
    const container = await startContainer(image, { env: { GREETING: 'hi from scratch' } });
    let stopped = false;
    try {
      const response = await fetch(container.url);
      expect(await response.text()).toBe('hi from scratch');
      const label = await execa('docker', [
        'inspect',
        '--format',
        '{{index .Config.Labels "owkit.test"}}',
        container.id,
      ]);
      expect(label.stdout).toBe('1');

      const result = await container.stop(5);
      stopped = true;
      expect(result.exitCode).toBe(0);
      expect(result.stopMs).toBeGreaterThan(0);
      const logs = await container.logs();
      expect(logs.stdout).toContain(`listening on 127.0.0.1:${container.port}`);
      expect(logs.stderr).toContain('got SIGTERM');
      const left = await execa('docker', [
        'ps',
        '--all',
        '--quiet',
        '--filter',
        `id=${container.id}`,
      ]);
      expect(left.stdout).toBe('');
    } finally {
      if (!stopped) await container.remove();
    }
  });

  it("applies the invoker's limits to every container, extra arguments after them", async () => {
    const container = await startContainer(image, { extraArgs: ['--read-only'] });
    try {
      const inspected = await execa('docker', [
        'inspect',
        '--format',
        '{{json .HostConfig}}',
        container.id,
      ]);
      const host = JSON.parse(inspected.stdout) as {
        Memory: number;
        MemorySwap: number;
        PidsLimit: number;
        Ulimits: { Name: string; Soft: number; Hard: number }[];
        CapDrop: string[];
        ReadonlyRootfs: boolean;
      };
      expect(host.Memory).toBe(256 * 1024 * 1024);
      expect(host.MemorySwap).toBe(256 * 1024 * 1024);
      expect(host.PidsLimit).toBe(1024);
      expect(host.Ulimits).toEqual([{ Name: 'nofile', Soft: 1024, Hard: 1024 }]);
      // The engine may spell them with the kernel's CAP_ prefix.
      expect(host.CapDrop.map((cap) => cap.replace(/^CAP_/, '')).sort()).toEqual([
        'NET_ADMIN',
        'NET_RAW',
      ]);
      expect(host.ReadonlyRootfs).toBe(true);
    } finally {
      await container.remove();
    }
  });

  it('reports the exit code the container chose', async () => {
    const container = await startContainer(image, { env: { EXIT_CODE: '7' } });
    const result = await container.stop(5);
    expect(result.exitCode).toBe(7);
  });

  it('fails fast, with the logs, when the container exits before listening', async () => {
    const started = startContainer(image, { env: { PORT: 'not-a-port' }, readyTimeoutMs: 30_000 });
    await expect(started).rejects.toThrow(StartError);
    await expect(started).rejects.toThrow(/exited with code 1 before listening.*not-a-port/s);
    const left = await execa('docker', [
      'ps',
      '--all',
      '--quiet',
      '--filter',
      'label=owkit.test=1',
      '--filter',
      `ancestor=${image}`,
    ]);
    expect(left.stdout).toBe('');
  });

  it('takes a name, a label and a memory figure, and says how it was started', async () => {
    const name = `owkit-testkit-${process.pid}`;
    const container = await startContainer(image, {
      name,
      label: 'owkit.testkit=named',
      memoryMb: 128,
    });
    try {
      expect(container.name).toBe(name);
      expect(container.args.join(' ')).toContain('--memory 128m --memory-swap 128m');
      const inspected = await execa('docker', [
        'inspect',
        '--format',
        '{{.Name}} {{index .Config.Labels "owkit.testkit"}} {{.HostConfig.Memory}}',
        container.id,
      ]);
      expect(inspected.stdout).toBe(`/${name} named ${128 * 1024 * 1024}`);
      const stamped = await container.logs({ timestamps: true });
      expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+ listening on/);
    } finally {
      await container.remove();
    }
  });

  it('gives up on a container that never listens, keeping what it printed', async () => {
    // The server listens, but on another port than the one waited for.
    const elsewhere = String(await freePort());
    const error = await startContainer(image, { env: { PORT: elsewhere }, readyTimeoutMs: 1_000 })
      .then(() => undefined)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).exited).toBe(false);
    expect((error as StartError).message).toMatch(/did not listen on port \d+ within 1000 ms/);
    expect((error as StartError).stdout).toContain(`listening on 127.0.0.1:${elsewhere}`);
  });

  it('removes the container when its start is aborted', async () => {
    const name = `owkit-testkit-abort-${process.pid}`;
    const controller = new AbortController();
    const reason = new Error('interrupted');
    setTimeout(() => controller.abort(reason), 500);
    const started = startContainer(image, {
      name,
      env: { PORT: String(await freePort()) },
      signal: controller.signal,
    });
    await expect(started).rejects.toBe(reason);
    const left = await execa('docker', ['ps', '--all', '--quiet', '--filter', `name=${name}`]);
    expect(left.stdout).toBe('');
  });
});
