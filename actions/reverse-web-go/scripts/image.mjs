/**
 * Builds owkit/reverse-web:go-native from bin/native (run `build` first): FROM scratch, the
 * binary serves HTTP itself. The build context is a temporary folder holding the binary and the
 * Dockerfile. Without a Docker engine it says so and stops, unless in CI, where that fails.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage, dockerAvailable, imageBytes } from '@owkit/testkit';

const tag = 'owkit/reverse-web:go-native';
const kind = 'native';

if (!(await dockerAvailable())) {
  const reason = `no Docker engine answers, so ${tag} was not built (start one, or check that you are in the docker group)`;
  if (process.env.CI === 'true') {
    console.error(`error: ${reason}`);
    process.exit(1);
  }
  console.log(`skipping: ${reason}`);
  process.exit(0);
}
const context = mkdtempSync(path.join(tmpdir(), 'owkit-image-'));
try {
  copyFileSync(path.join('bin', kind), path.join(context, kind));
  copyFileSync('Dockerfile', path.join(context, 'Dockerfile'));
  console.log(`building ${tag}`);
  await buildImage(context, tag);
} finally {
  rmSync(context, { recursive: true, force: true });
}
console.log(`built ${tag}: ${await imageBytes(tag)} bytes`);
