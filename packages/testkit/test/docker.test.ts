import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildImage,
  describeWithDocker,
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
});
