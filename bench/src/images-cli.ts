// `pnpm --filter @owkit/bench image`: builds the floor images the bench compares against.
import { engineAnswers } from '@owkit/host/docker';
import { MAIN_ENGINE } from './docker.js';
import { buildFloorImages } from './images.js';

if (await engineAnswers()) {
  await buildFloorImages(MAIN_ENGINE);
  process.stdout.write(
    'built owkit/floor:go, owkit/floor:engine and (given node-base) owkit/floor:node and :node-default\n',
  );
} else {
  process.stdout.write('no Docker engine answers: floor images not built\n');
}
