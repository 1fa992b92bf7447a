// Builds owkit/node-base:<version> and :<major> from the official Node release, without pulling
// any base image. Run by `pnpm image`; see ../README.md.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { fetchNodeTarball, NODE_RELEASE, unpackNode } from './node-release.mjs';
import { assembleRootfs, linkedLibraries } from './rootfs.mjs';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const cacheDir = join(packageDir, '.cache');
const stageDir = join(packageDir, '.stage');
const repository = 'owkit/node-base';
const major = NODE_RELEASE.version.split('.')[0];
const tags = [`${repository}:${NODE_RELEASE.version}`, `${repository}:${major}`];
const INPUTS_LABEL = 'owkit.node-base.inputs';

const log = (message) => console.log(`[node-base] ${message}`);

async function dockerAnswers() {
  const result = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    timeout: 5_000,
    stdin: 'ignore',
  });
  return result.exitCode === 0;
}

async function sha256(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** A digest of everything the image is made of, so an unchanged image is not rebuilt. */
async function inputsDigest(node, libraries) {
  const hash = createHash('sha256');
  const sources = [
    'Dockerfile',
    'node-release.json',
    'scripts/rootfs.mjs',
    'scripts/node-release.mjs',
  ];
  for (const source of sources)
    hash.update(`${source}\0${await sha256(join(packageDir, source))}\n`);
  hash.update(`node\0${await sha256(node)}\n`);
  for (const library of libraries)
    hash.update(`${library.path}\0${await sha256(library.source)}\n`);
  return hash.digest('hex');
}

async function imageLabel(image, label) {
  const result = await execa(
    'docker',
    ['image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${label}"}}`, image],
    { reject: false, stdin: 'ignore' },
  );
  if (result.exitCode !== 0) return undefined;
  const [id, value] = result.stdout.trim().split(' ');
  return { id, value };
}

async function upToDate(digest) {
  const found = await Promise.all(tags.map((tag) => imageLabel(tag, INPUTS_LABEL)));
  return found.every((image) => image?.value === digest && image.id === found[0]?.id);
}

async function main() {
  log('step 1/6: checking for a Docker engine');
  if (!(await dockerAnswers())) {
    const reason = 'no Docker engine answers `docker info` (start one: see .ci/run)';
    if (process.env.CI === 'true') throw new Error(`cannot build ${tags[0]}: ${reason}`);
    log(`not building ${tags[0]}: ${reason}`);
    return;
  }

  log(`step 2/6: fetching ${NODE_RELEASE.packageName}@${NODE_RELEASE.version}`);
  await mkdir(cacheDir, { recursive: true });
  const tarball = await fetchNodeTarball(cacheDir, log);
  const { node, license } = await unpackNode(tarball, cacheDir, log);

  log('step 3/6: listing the shared libraries node links (ldd)');
  const libraries = await linkedLibraries(node);
  for (const library of libraries) log(`  ${library.path} <- ${library.source}`);

  const digest = await inputsDigest(node, libraries);
  if (await upToDate(digest)) {
    log(
      `${tags.join(' and ')} already built from these inputs (${digest.slice(0, 12)}); nothing to do`,
    );
    return;
  }

  log(`step 4/6: assembling the rootfs in ${stageDir}`);
  await assembleRootfs({ stageDir, node, license, libraries });
  await copyFile(join(packageDir, 'Dockerfile'), join(stageDir, 'Dockerfile'));

  log(`step 5/6: docker build (classic builder) -> ${tags.join(', ')}`);
  const tagArgs = tags.flatMap((tag) => ['--tag', tag]);
  await execa(
    'docker',
    [
      'build',
      ...tagArgs,
      '--label',
      `${INPUTS_LABEL}=${digest}`,
      '--label',
      `org.opencontainers.image.version=${NODE_RELEASE.version}`,
      stageDir,
    ],
    { env: { DOCKER_BUILDKIT: '0' }, stdin: 'ignore', stdout: 'inherit', stderr: 'inherit' },
  );

  log('step 6/6: checking the image');
  const { stdout: version } = await execa('docker', ['run', '--rm', tags[0], 'node', '--version']);
  if (version.trim() !== `v${NODE_RELEASE.version}`) {
    throw new Error(`${tags[0]} runs node ${version.trim()}, expected v${NODE_RELEASE.version}`);
  }
  const { stdout: size } = await execa('docker', [
    'image',
    'inspect',
    '--format',
    '{{.Size}}',
    tags[0],
  ]);
  log(`${tags.join(', ')}: node ${version.trim()}, ${(Number(size) / 1e6).toFixed(1)} MB`);
}

main().catch((error) => {
  console.error(`[node-base] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
