import { expect, it } from 'vitest';
import * as testkit from '../src/index.js';

it('exports exactly the documented names', () => {
  expect(Object.keys(testkit).sort()).toEqual([
    'DockerCommandError',
    'INVOKER_MEMORY_MB',
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
    'invokerLimitArgs',
    'startContainer',
    'startProcess',
    'urlFor',
    'waitForPort',
  ]);
});
