import { describeWithDocker } from '@owkit/testkit';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { MAIN_ENGINE } from '../src/docker.js';
import { buildFloorImages, inspectVariantImage, pushAndMeasure } from '../src/images.js';
import { httpCall } from '../src/net.js';
import { startRegistry } from '../src/registry.js';
import { variantNamed } from '../src/variants.js';

const hasRegistry =
  execaSync('sh', ['-c', 'command -v docker-registry'], { reject: false }).exitCode === 0;

// CI installs Debian's docker-registry; elsewhere the suite runs only where it is installed.
describe.runIf(hasRegistry || process.env.CI === 'true')('startRegistry', () => {
  it('serves the registry API on loopback until stopped', async () => {
    const registry = await startRegistry();
    expect(registry.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const api = await httpCall(`http://${registry.address}/v2/`, {});
    expect(api.status).toBe(200);
    await expect(registry.manifestSizes('owkit/none', 'latest')).rejects.toThrow(/no manifest/);
    await registry.stop();
    await expect(httpCall(`http://${registry.address}/v2/`, { timeoutMs: 2_000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('fails clearly when the binary cannot start', async () => {
    await expect(startRegistry('/nonexistent/docker-registry')).rejects.toThrow(/exited at start/);
  });

  describeWithDocker('with an engine', () => {
    it('gives the compressed layer sizes of a pushed image', async () => {
      await buildFloorImages(MAIN_ENGINE);
      const facts = await inspectVariantImage(MAIN_ENGINE, variantNamed('floor-engine'));
      const registry = await startRegistry();
      try {
        await pushAndMeasure(MAIN_ENGINE, registry, facts);
      } finally {
        await registry.stop();
      }
      expect(facts.layerCount).toBe(1);
      expect(facts.compressedLayerBytes).toHaveLength(1);
      // A stripped static Go binary gzips to well under its size.
      expect(facts.compressedImageBytes).toBeGreaterThan(500_000);
      expect(facts.compressedImageBytes).toBeLessThan(facts.imageBytes);
      expect(facts.compressedAddedOverBaseBytes).toBe(facts.compressedImageBytes);
    }, 120_000);
  });
});
