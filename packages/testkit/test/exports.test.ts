import { expect, it } from 'vitest';
import * as testkit from '../src/index.js';

it('exports exactly the documented names', () => {
  expect(Object.keys(testkit).sort()).toEqual([
    'DockerCommandError',
    'PortTimeoutError',
    'SENTINEL',
    'StartError',
    'TEST_LABEL',
    'buildImage',
    'countSentinels',
    'describeWithDocker',
    'dockerAvailable',
    'dockerAvailableSync',
    'freePort',
    'imageBytes',
    'imageExists',
    'startContainer',
    'startProcess',
    'urlFor',
    'waitForPort',
  ]);
});
