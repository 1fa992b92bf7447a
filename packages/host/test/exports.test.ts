import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const SUBPATHS = {
  './command-line': [
    'UsageError',
    'flag',
    'integerIn',
    'listenOptionSpecs',
    'oneOf',
    'optionRows',
    'optionsTable',
    'parseCommandLine',
    'parseOptionsOnly',
    'usage',
  ],
  './docker': [
    'TEST_LABEL',
    'buildImage',
    'containerState',
    'dockerAvailable',
    'dockerAvailableSync',
    'dockerCommand',
    'dockerEngineProblem',
    'engineAnswers',
    'engineVersion',
    'imageBytes',
    'imageExists',
    'inspectImage',
    'pullImage',
    'pushImage',
    'removeImages',
    'removeLabelledContainers',
    'runContainer',
    'startContainer',
    'tagImage',
  ],
  './errors': ['DockerCommandError', 'PortTimeoutError', 'StartError', 'UsageError'],
  './invoker-limits': ['INVOKER_MEMORY_MB', 'invokerLimitArgs'],
  './ports': ['freePort', 'portInUse', 'urlFor', 'waitForPort'],
  './process': ['startProcess'],
  './variants': [
    'NODE_BASE_IMAGE',
    'PROXY_IMAGES',
    'REPO_ROOT',
    'STYLES',
    'VARIANTS',
    'artifactOf',
    'isStyle',
    'kindOf',
    'processCommand',
    'proxyBundle',
    'variantNamed',
  ],
};

it('has one subpath per concern and no index, so a bundle loads only what it imports', async () => {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  expect(Object.keys(manifest.exports).sort()).toEqual(Object.keys(SUBPATHS).sort());
});

const MODULES: Record<string, () => Promise<object>> = {
  './command-line': () => import('../src/command-line.js'),
  './docker': () => import('../src/docker.js'),
  './errors': () => import('../src/errors.js'),
  './invoker-limits': () => import('../src/invoker-limits.js'),
  './ports': () => import('../src/ports.js'),
  './process': () => import('../src/process.js'),
  './variants': () => import('../src/variants.js'),
};

it.each(Object.entries(SUBPATHS))('exports exactly these names from %s', async (subpath, names) => {
  const load = MODULES[subpath];
  if (load === undefined) throw new Error(`no module for ${subpath}`);
  expect(Object.keys(await load()).sort()).toEqual([...names].sort());
});
