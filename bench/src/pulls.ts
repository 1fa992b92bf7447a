/**
 * Pulls on the main engine, which a user of the `docker` group can do: the image's own tags are
 * removed (so the layers no other image uses are deleted), the image is pulled back from the
 * local registry and re-tagged at once. Layers another image still holds (a shared base) stay,
 * which is what an invoker already running actions on the same base sees.
 */

import { imageExists, inspectImage, pullImage, removeImages, tagImage } from '@owkit/host/docker';
import { measureColdStart } from './coldstart.js';
import type { Engine } from './docker.js';
import { BenchError, describeError } from './errors.js';
import { registryName } from './images.js';
import { dockerLauncher } from './launcher.js';
import type { LocalRegistry } from './registry.js';
import type { PulledSample } from './result.js';
import type { Variant } from './variants.js';

/** A copy the bench pushed or pulled (`127.0.0.1:<port>/owkit/…`), never a name to restore. */
const REGISTRY_COPY = /^127\.0\.0\.1:\d+\//;

/**
 * Every `name:tag` pointing at the image id: the names to put back, and stale registry copies
 * (from an interrupted run) that would otherwise keep the image and its layers alive.
 */
async function tagsOf(engine: Engine, id: string) {
  const { tags } = await inspectImage(id, engine);
  return {
    all: tags,
    names: tags.filter((tag) => !REGISTRY_COPY.test(tag)),
  };
}

/** Puts back every tag nobody re-created meanwhile (another build may have taken the name). */
async function restoreTags(engine: Engine, source: string, tags: readonly string[]) {
  for (const tag of tags) {
    if (!(await imageExists(tag, engine))) await tagImage(source, tag, engine);
  }
}

export async function pullOverBase(
  engine: Engine,
  registry: LocalRegistry,
  variant: Variant,
): Promise<Omit<PulledSample, 'round'>> {
  const image = variant.image;
  if (image === undefined) throw new BenchError(`${variant.name} has no image`);
  const remote = registryName(registry, image);
  const { id } = await inspectImage(image, engine);
  const { all, names: tags } = await tagsOf(engine, id);
  try {
    await removeImages(all, engine);
  } catch (error) {
    throw new BenchError(
      `could not remove ${image} to pull it back (is a container using it?): ${describeError(error)}`,
    );
  }
  let pullMs: number;
  try {
    if (await imageExists(id, engine)) {
      await restoreTags(engine, id, tags);
      throw new BenchError(
        `${image} stayed after its tags were removed; a container still uses it`,
      );
    }
    const t0 = performance.now();
    await pullImage(remote, engine);
    pullMs = performance.now() - t0;
  } catch (error) {
    if (!(await imageExists(id, engine))) {
      throw new BenchError(
        `pulling ${remote} failed: ${describeError(error)}; ${tags.join(', ')} had been removed for the pull: rebuild with \`pnpm images\``,
      );
    }
    throw error;
  }
  try {
    // Back under its own names before anything else runs: the tags are shared with other users.
    await restoreTags(engine, remote, tags);
    const sample = await measureColdStart(dockerLauncher(engine), variant, { image: remote });
    return { ...sample, pullMs, pullAndColdStartMs: pullMs + sample.totalMs };
  } finally {
    await removeImages([remote], { ...engine, force: true }).catch(() => undefined);
  }
}
