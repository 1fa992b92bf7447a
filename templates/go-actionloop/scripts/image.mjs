/**
 * Builds owkit/template-go-actionloop:go-actionloop from bin/actionloop (run `build` first):
 * owkit/sdk-proxy:loop (the actionloop proxy, which starts the binary once and keeps it)
 * plus the binary as /action/exec. The build context is a temporary folder holding the binary
 * and the Dockerfile. Without a Docker engine it says so and stops, unless in CI, where that
 * fails.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage, dockerAvailable, imageBytes, imageExists } from '@owkit/testkit';

const tag = 'owkit/template-go-actionloop:go-actionloop';
const kind = 'actionloop';
const base = 'owkit/sdk-proxy:loop';

function giveUp(reason) {
  if (process.env.CI === 'true') {
    console.error(`error: ${reason}`);
    process.exit(1);
  }
  console.log(`skipping: ${reason}`);
  process.exit(0);
}

if (!(await dockerAvailable())) {
  giveUp(
    `no Docker engine answers, so ${tag} was not built (start one, or check that you are in the docker group)`,
  );
}
if (!(await imageExists(base))) {
  console.error(
    `error: ${tag} is built on ${base}, which is not on this machine: build it with pnpm turbo run image --filter=@owkit/sdk-proxy`,
  );
  process.exit(1);
}
const context = mkdtempSync(path.join(tmpdir(), 'owkit-image-'));
try {
  copyFileSync(path.join('bin', kind), path.join(context, kind));
  copyFileSync('Dockerfile', path.join(context, 'Dockerfile'));
  console.log(`building ${tag} on ${base}`);
  await buildImage(context, tag, { buildArgs: { BASE_IMAGE: base } });
} finally {
  rmSync(context, { recursive: true, force: true });
}
console.log(`built ${tag}: ${await imageBytes(tag)} bytes`);
