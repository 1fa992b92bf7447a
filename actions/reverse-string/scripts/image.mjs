// Builds owkit/reverse-string:ts-native from a staging folder holding the bundle and tini.
// Without a Docker engine it says so and stops, unless in CI, where a missing engine is a failure.
import { access, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, dockerAvailable, imageBytes } from '@owkit/testkit';

const tag = 'owkit/reverse-string:ts-native';
const base = process.env.BASE_IMAGE ?? 'owkit/node-base:24';
/** Debian's tini package (27 KB, linked against the glibc the Node base already has). */
const TINI = '/usr/bin/tini';

function stop(reason) {
  if (process.env.CI === 'true') {
    console.error(`error: ${reason}`);
    process.exit(1);
  }
  console.log(`skipping: ${reason}`);
  process.exit(0);
}

if (!(await dockerAvailable())) {
  stop(`no Docker engine answers, so ${tag} was not built (start one: see .ci/run)`);
}
try {
  await access(TINI);
} catch {
  stop(`${TINI} is missing, so ${tag} was not built (apt-get install tini)`);
}
const context = await mkdtemp(join(tmpdir(), 'owkit-ts-native-image-'));
try {
  await copyFile('dist/action.mjs', join(context, 'action.mjs'));
  await copyFile(TINI, join(context, 'tini'));
  await copyFile('Dockerfile', join(context, 'Dockerfile'));
  console.log(`building ${tag} on ${base}`);
  await buildImage(context, tag, { buildArgs: { BASE_IMAGE: base } });
  console.log(`built ${tag}: ${await imageBytes(tag)} bytes`);
} finally {
  await rm(context, { recursive: true, force: true });
}
