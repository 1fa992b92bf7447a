import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * The Node release the image carries: a maintained LTS, pinned with the integrity the npm registry
 * records for the package, so a changed tarball fails the build instead of shipping.
 */
export const NODE_RELEASE = JSON.parse(
  await readFile(new URL('../node-release.json', import.meta.url), 'utf8'),
);

export class IntegrityError extends Error {
  constructor(file, expected, actual) {
    super(`${file}: integrity ${actual} does not match the pinned ${expected}`);
    this.name = 'IntegrityError';
  }
}

async function exists(path) {
  try {
    await access(path);
    return true;
  } catch {
    // Absent is the only answer callers need; a real I/O problem resurfaces on the next read.
    return false;
  }
}

export async function sha512Integrity(file) {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * The verified release tarball in `cacheDir`, fetched with `npm pack` only when it is not
 * already there. Returns its path.
 */
export async function fetchNodeTarball(cacheDir, log) {
  const { version, packageName, integrity } = NODE_RELEASE;
  const tarball = join(cacheDir, `${packageName}-${version}.tgz`);
  if (await exists(tarball)) {
    log(`using cached ${tarball}`);
  } else {
    log(`downloading ${packageName}@${version} with npm pack`);
    const downloadDir = join(cacheDir, 'download');
    await rm(downloadDir, { recursive: true, force: true });
    await mkdir(downloadDir, { recursive: true });
    const { stdout } = await execa(
      'npm',
      [
        'pack',
        `${packageName}@${version}`,
        '--json',
        '--ignore-scripts',
        '--pack-destination',
        downloadDir,
      ],
      { stdin: 'ignore' },
    );
    const [packed] = JSON.parse(stdout);
    if (packed?.integrity !== integrity) {
      throw new IntegrityError(`${packageName}@${version}`, integrity, packed?.integrity);
    }
    // Only a complete, verified download ever takes the cached name.
    await rename(join(downloadDir, packed.filename), tarball);
    await rm(downloadDir, { recursive: true, force: true });
  }
  const actual = await sha512Integrity(tarball);
  if (actual !== integrity) {
    await rm(tarball, { force: true });
    throw new IntegrityError(tarball, integrity, actual);
  }
  log(`verified ${integrity.slice(0, 24)}…`);
  return tarball;
}

/**
 * The release's `bin/node` and `LICENSE`, unpacked once next to the tarball; the binary is
 * stripped when `strip` exists and the stripped binary still runs.
 */
export async function unpackNode(tarball, cacheDir, log) {
  const unpackDir = join(cacheDir, `node-v${NODE_RELEASE.version}-linux-x64`);
  const node = join(unpackDir, 'package', 'bin', 'node');
  const license = join(unpackDir, 'package', 'LICENSE');
  const doneMarker = join(unpackDir, '.complete');
  if (await exists(doneMarker)) {
    log(`using unpacked ${node}`);
    return { node, license };
  }
  await rm(unpackDir, { recursive: true, force: true });
  await mkdir(unpackDir, { recursive: true });
  log('unpacking bin/node and LICENSE');
  await execa('tar', ['-xzf', tarball, '-C', unpackDir, 'package/bin/node', 'package/LICENSE']);
  await checkVersion(node);
  await stripIfSafe(node, unpackDir, log);
  await execa('touch', [doneMarker]);
  return { node, license };
}

async function checkVersion(node) {
  const { stdout } = await execa(node, ['--version']);
  if (stdout.trim() !== `v${NODE_RELEASE.version}`) {
    throw new Error(`${node} reports ${stdout.trim()}, expected v${NODE_RELEASE.version}`);
  }
}

async function stripIfSafe(node, workDir, log) {
  const stripped = join(workDir, 'node.stripped');
  const result = await execa('strip', ['--strip-all', '-o', stripped, node], { reject: false });
  if (result.failed) {
    log(
      `not stripping (strip unavailable or failed: ${result.shortMessage}); the image is ~18 MB larger`,
    );
    return;
  }
  // The stripped binary replaces the original only if it still runs and reports the same version.
  await checkVersion(stripped);
  await execa(stripped, ['-e', 'require("node:crypto").createHash("sha256").update("x").digest()']);
  await rename(stripped, node);
  log('stripped debug symbols; the stripped binary runs');
}
