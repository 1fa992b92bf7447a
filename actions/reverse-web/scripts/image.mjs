// Builds owkit/reverse-web:ts-native from the bundle (run `build` first). Without a Docker
// engine it says so and stops, unless in CI, where a missing engine is a failure.
import { buildImage, dockerAvailable, imageBytes } from '@owkit/testkit';

const tag = 'owkit/reverse-web:ts-native';
const base = process.env.BASE_IMAGE ?? 'owkit/node-base:24';

if (!(await dockerAvailable())) {
  const reason = `no Docker engine answers, so ${tag} was not built (start one, or check that you are in the docker group)`;
  if (process.env.CI === 'true') {
    console.error(`error: ${reason}`);
    process.exit(1);
  }
  console.log(`skipping: ${reason}`);
  process.exit(0);
}
console.log(`building ${tag} on ${base}`);
await buildImage('dist', tag, { dockerfile: 'Dockerfile', buildArgs: { BASE_IMAGE: base } });
console.log(`built ${tag}: ${await imageBytes(tag)} bytes`);
