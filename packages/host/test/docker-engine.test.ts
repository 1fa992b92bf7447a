import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildImage,
  dockerAvailableSync,
  dockerCommand,
  engineAnswers,
  imageExists,
  inspectImage,
  removeImages,
  tagImage,
} from '../src/docker.js';
import { DockerCommandError } from '../src/errors.js';

/** An address where no engine answers: the `host` option must reach the docker client. */
const NO_ENGINE = 'unix:///nonexistent/owkit-docker.sock';
/** The default engine named explicitly, as the bench names its throw-away one. */
const DEFAULT_ENGINE = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

// As testkit's describeWithDocker (which host cannot import): CI must never pass by not testing.
const engine = dockerAvailableSync();
if (!engine && process.env.CI === 'true') {
  throw new Error('docker-engine.test.ts: CI=true but no Docker engine answers `docker info`');
}
if (!engine) console.warn('docker-engine.test.ts: no Docker engine answers; engine tests skipped');

describe.runIf(engine)('commands against an engine named by its address', () => {
  const dir = mkdtemp(join(tmpdir(), 'owkit-host-image-'));
  const tag = `owkit/host-test:${process.pid}`;
  afterAll(async () => {
    await removeImages([tag, `${tag}-copy`], { host: DEFAULT_ENGINE, force: true }).catch(
      () => undefined,
    );
    await rm(await dir, { recursive: true, force: true });
  });

  it('sends every command to the engine at `host`, and names the failure', async () => {
    expect(await engineAnswers({ host: NO_ENGINE, timeoutMs: 5_000 })).toBe(false);
    expect(await imageExists('anything', { host: NO_ENGINE })).toBe(false);
    const error = await dockerCommand(['version'], { host: NO_ENGINE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerCommandError);
    expect((error as DockerCommandError).message).toMatch(/^docker version failed: .*nonexistent/s);
    expect(await engineAnswers({ host: DEFAULT_ENGINE })).toBe(true);
  });

  it('builds, inspects, tags and removes an image there', async () => {
    const context = await dir;
    await writeFile(join(context, 'answer'), '42\n');
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY answer /answer\n');
    await buildImage(context, tag, { host: DEFAULT_ENGINE });
    const facts = await inspectImage(tag, { host: DEFAULT_ENGINE });
    expect(facts.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(facts.layerDiffIds).toHaveLength(1);
    expect(facts.tags).toContain(tag);
    expect(facts.sizeBytes).toBe(3);

    await tagImage(tag, `${tag}-copy`, { host: DEFAULT_ENGINE });
    expect((await inspectImage(facts.id, { host: DEFAULT_ENGINE })).tags.sort()).toEqual(
      [tag, `${tag}-copy`].sort(),
    );
    await removeImages([tag, `${tag}-copy`], { host: DEFAULT_ENGINE });
    expect(await imageExists(facts.id, { host: DEFAULT_ENGINE })).toBe(false);
  }, 60_000);
});
