import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildImage,
  imageExists,
  inspectImage,
  pushImage,
  removeImages,
  tagImage,
} from '@owkit/host/docker';
import { execa } from 'execa';
import type { Engine } from './docker.js';
import { BenchError } from './errors.js';
import { FLOOR_BIN_DIR, FLOORS_DIR } from './paths.js';
import type { LocalRegistry } from './registry.js';
import { ACTIONLOOP_BINARY, type Variant } from './variants.js';

export const NODE_BASE_IMAGE = 'owkit/node-base:24';

const GO_FLOORS = [
  { binary: 'floor-go', packageDir: './go', image: 'owkit/floor:go', child: null },
  { binary: 'floor-engine', packageDir: './engine', image: 'owkit/floor:engine', child: null },
  {
    binary: 'floor-go-pipe',
    packageDir: './gopipe',
    image: 'owkit/floor:go-pipe',
    child: ACTIONLOOP_BINARY,
  },
] as const;

/** Static Go floors into bench/bin (process mode runs them there; images copy them). */
export async function buildFloorBinaries(): Promise<void> {
  await mkdir(FLOOR_BIN_DIR, { recursive: true });
  for (const floor of GO_FLOORS) {
    const result = await execa(
      'go',
      [
        'build',
        '-trimpath',
        '-ldflags=-s -w',
        '-o',
        join(FLOOR_BIN_DIR, floor.binary),
        floor.packageDir,
      ],
      { cwd: FLOORS_DIR, env: { CGO_ENABLED: '0' }, reject: false, stdin: 'ignore' },
    );
    if (result.exitCode !== 0) {
      throw new BenchError(`go build of ${floor.binary} failed: ${String(result.stderr).trim()}`);
    }
  }
}

/**
 * owkit/floor:go, :engine and :go-pipe (FROM scratch; go-pipe with the actionloop binary beside it),
 * owkit/floor:node and :node-default (node-base's files).
 */
export async function buildFloorImages(engine: Engine): Promise<void> {
  await buildFloorBinaries();
  const staging = await mkdtemp(join(tmpdir(), 'owkit-floor-'));
  try {
    for (const floor of GO_FLOORS) {
      const context = join(staging, floor.binary);
      await mkdir(context);
      await copyFile(join(FLOOR_BIN_DIR, floor.binary), join(context, 'server'));
      if (floor.child === null) {
        await copyFile(join(FLOORS_DIR, 'Dockerfile.scratch'), join(context, 'Dockerfile'));
      } else {
        await copyFile(floor.child, join(context, 'exec')).catch((error: unknown) => {
          throw new BenchError(
            `${floor.image} needs ${floor.child} (${(error as Error).message}): run pnpm build first`,
          );
        });
        await copyFile(join(FLOORS_DIR, 'Dockerfile.go-pipe'), join(context, 'Dockerfile'));
      }
      await buildImage(context, floor.image, engine);
    }
    if (await imageExists(NODE_BASE_IMAGE, engine)) {
      const context = join(staging, 'node');
      await mkdir(context);
      await copyFile(join(FLOORS_DIR, 'node/server.mjs'), join(context, 'server.mjs'));
      await copyFile(join(FLOORS_DIR, 'Dockerfile.node'), join(context, 'Dockerfile'));
      await buildImage(context, 'owkit/floor:node', {
        ...engine,
        buildArgs: { BASE_IMAGE: NODE_BASE_IMAGE },
      });
      await copyFile(join(FLOORS_DIR, 'Dockerfile.node-default'), join(context, 'Dockerfile'));
      await buildImage(context, 'owkit/floor:node-default', {
        ...engine,
        buildArgs: { BASE_IMAGE: NODE_BASE_IMAGE },
      });
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export interface ImageResult {
  image: string;
  imageId: string;
  /** Uncompressed size as the engine reports it (`docker image inspect` .Size). */
  imageBytes: number;
  layerCount: number;
  /** `null` for FROM scratch. */
  baseImage: string | null;
  baseImageBytes: number;
  /** null when the image is not built on the current base (see baseMismatch). */
  addedOverBaseBytes: number | null;
  addedLayerCount: number | null;
  /** Why the base-relative figures are missing: the image was built on an older base. */
  baseMismatch: string | null;
  /** Sum of the layer blobs in the pushed manifest: what a pull downloads. */
  compressedImageBytes: number | null;
  /** The compressed layers above the base's. */
  compressedAddedOverBaseBytes: number | null;
  compressedLayerBytes: number[] | null;
}

export async function inspectVariantImage(engine: Engine, variant: Variant): Promise<ImageResult> {
  if (variant.image === undefined) throw new BenchError(`${variant.name} has no image`);
  const facts = await inspectImage(variant.image, engine);
  const base =
    variant.baseImage === null || variant.baseImage === undefined
      ? null
      : await inspectImage(variant.baseImage, engine);
  const onBase =
    base === null || base.layerDiffIds.every((layer, i) => facts.layerDiffIds[i] === layer);
  const baseLayers = base?.layerDiffIds.length ?? 0;
  return {
    image: variant.image,
    imageId: facts.id,
    imageBytes: facts.sizeBytes,
    layerCount: facts.layerDiffIds.length,
    baseImage: variant.baseImage ?? null,
    baseImageBytes: base?.sizeBytes ?? 0,
    addedOverBaseBytes: onBase ? facts.sizeBytes - (base?.sizeBytes ?? 0) : null,
    addedLayerCount: onBase ? facts.layerDiffIds.length - baseLayers : null,
    baseMismatch: onBase
      ? null
      : `${variant.image} is not built on the current ${variant.baseImage} (rebuild with pnpm images): its bytes over the base are not measured, and its pull over the base moves the old base's layers too`,
    compressedImageBytes: null,
    compressedAddedOverBaseBytes: null,
    compressedLayerBytes: null,
  };
}

/** `owkit/x:tag` → `127.0.0.1:port/owkit/x:tag`. */
export function registryName(registry: LocalRegistry, image: string): string {
  return `${registry.address}/${image}`;
}

/** Pushes the image once and fills in the compressed sizes from the registry's manifest. */
export async function pushAndMeasure(
  engine: Engine,
  registry: LocalRegistry,
  result: ImageResult,
): Promise<void> {
  const target = registryName(registry, result.image);
  await tagImage(result.image, target, engine);
  try {
    await pushImage(target, engine);
  } finally {
    await removeImages([target], { ...engine, force: true });
  }
  const colon = result.image.lastIndexOf(':');
  const sizes = await registry.manifestSizes(
    result.image.slice(0, colon),
    result.image.slice(colon + 1),
  );
  const layerBytes = sizes.layers.map((layer) => layer.compressedBytes);
  result.compressedLayerBytes = layerBytes;
  result.compressedImageBytes = layerBytes.reduce((a, b) => a + b, 0);
  result.compressedAddedOverBaseBytes =
    result.addedLayerCount === null
      ? null
      : layerBytes.slice(result.layerCount - result.addedLayerCount).reduce((a, b) => a + b, 0);
}
