// `pnpm --filter @owkit/bench image`: builds the floor images the bench compares against.
import { DockerCli } from './docker.js';
import { buildFloorImages } from './images.js';

const docker = new DockerCli();
if (await docker.answers()) {
  await buildFloorImages(docker);
  process.stdout.write(
    'built owkit/floor:go, owkit/floor:engine and (given node-base) owkit/floor:node and :node-default\n',
  );
} else {
  process.stdout.write('no Docker engine answers: floor images not built\n');
}
