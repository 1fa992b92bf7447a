// Builds owkit/sdk-proxy:blackbox (also tagged :latest) and owkit/sdk-proxy:actionloop from a small staging
// folder: the bundle, its spawn helper, tini, a static busybox with a few applet links, and the stub action.
import { access, chmod, copyFile, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildSpawnHelper } from './spawn-helper.mjs';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(packageDir, 'dist', 'owkit-proxy.mjs');
const spawnHelper = join(packageDir, 'dist', 'owkit-spawn');
const baseImage = process.env.BASE_IMAGE ?? 'owkit/node-base:24';
const inCi = process.env.CI === 'true';

/** Debian's tini and busybox-static packages; .ci/run installs them. */
const TINI = '/usr/bin/tini-static';
const BUSYBOX = '/bin/busybox';

/** Enough for the shell scripts people send as /init code; each is a link, a few bytes. */
const APPLETS = [
  'sh',
  'ash',
  'echo',
  'printf',
  'cat',
  'test',
  '[',
  '[[',
  'true',
  'false',
  'env',
  'sleep',
  'ls',
  'pwd',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'ln',
  'chmod',
  'touch',
  'basename',
  'dirname',
  'grep',
  'sed',
  'awk',
  'tr',
  'cut',
  'head',
  'tail',
  'wc',
  'sort',
  'uniq',
  'tee',
  'xargs',
  'expr',
  'date',
  'base64',
  'id',
  'kill',
  // Actions that daemonise use it; the proxy kills what they start all the same.
  'setsid',
];

/** One image per mode; `:latest` names the blackbox one, so `FROM owkit/sdk-proxy` gets it. */
const TAGS = [
  { tags: ['owkit/sdk-proxy:blackbox', 'owkit/sdk-proxy:latest'], mode: 'blackbox' },
  { tags: ['owkit/sdk-proxy:actionloop'], mode: 'actionloop' },
];

function skipOrFail(reason) {
  if (inCi) {
    console.error(`sdk-proxy image: ${reason}`);
    process.exit(1);
  }
  console.log(`sdk-proxy image: skipped, ${reason}`);
  process.exit(0);
}

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const engine = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
  reject: false,
  stdin: 'ignore',
});
if (engine.exitCode !== 0) skipOrFail('no Docker engine answers `docker info`');
for (const [path, from] of [
  [TINI, 'tini'],
  [BUSYBOX, 'busybox-static'],
]) {
  if (!(await exists(path))) skipOrFail(`${path} is missing (apt-get install ${from})`);
}
if (!(await exists(bundle))) skipOrFail('dist/owkit-proxy.mjs is missing: run the build first');
// Rebuilt here too (go build is a cache hit when nothing changed): the image must hold the helper
// that matches the tree, static (CGO_ENABLED=0) as the base image has no Go libraries.
await buildSpawnHelper();

const context = await mkdtemp(join(tmpdir(), 'owkit-sdk-proxy-image-'));
try {
  console.log(`sdk-proxy image: staging ${context}`);
  const rootfs = join(context, 'rootfs');
  await mkdir(join(rootfs, 'opt', 'owkit'), { recursive: true });
  await mkdir(join(rootfs, 'sbin'), { recursive: true });
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'usr', 'bin'), { recursive: true });
  await copyFile(bundle, join(rootfs, 'opt', 'owkit', 'owkit-proxy.mjs'));
  // The bundle finds the spawn helper beside itself.
  await copyFile(spawnHelper, join(rootfs, 'opt', 'owkit', 'owkit-spawn'));
  await chmod(join(rootfs, 'opt', 'owkit', 'owkit-spawn'), 0o755);
  await copyFile(TINI, join(rootfs, 'sbin', 'tini'));
  await copyFile(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  await chmod(join(rootfs, 'sbin', 'tini'), 0o755);
  await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of APPLETS) await symlink('busybox', join(rootfs, 'bin', applet));
  // Scripts written for Debian start with #!/usr/bin/env …
  await symlink('../../bin/busybox', join(rootfs, 'usr', 'bin', 'env'));
  await mkdir(join(context, 'action'));
  await copyFile(join(packageDir, 'image', 'stub-exec'), join(context, 'action', 'exec'));
  await chmod(join(context, 'action', 'exec'), 0o755);
  await copyFile(join(packageDir, 'image', 'Dockerfile'), join(context, 'Dockerfile'));

  for (const { tags, mode } of TAGS) {
    const [tag] = tags;
    console.log(`sdk-proxy image: building ${tags.join(' and ')} (${mode}) on ${baseImage}`);
    const started = performance.now();
    const build = await execa(
      'docker',
      [
        'build',
        '--build-arg',
        `BASE_IMAGE=${baseImage}`,
        '--build-arg',
        `OWKIT_MODE=${mode}`,
        ...tags.flatMap((name) => ['--tag', name]),
        context,
      ],
      { env: { DOCKER_BUILDKIT: '0' }, reject: false, stdin: 'ignore', all: true },
    );
    if (build.exitCode !== 0) {
      console.error(build.all);
      console.error(`sdk-proxy image: docker build of ${tag} failed`);
      process.exit(1);
    }
    const size = await execa('docker', ['image', 'inspect', '--format', '{{.Size}}', tag]);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `sdk-proxy image: ${tag} ${(Number(size.stdout) / 1e6).toFixed(1)} MB in ${seconds} s`,
    );
  }
  const { size } = await stat(bundle);
  console.log(`sdk-proxy image: bundle ${(size / 1024).toFixed(1)} KiB`);
} finally {
  await rm(context, { recursive: true, force: true });
}
