import { chmod, copyFile, mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export const OWKIT_UID = 10001;

/**
 * The shared libraries `binary` loads, as the dynamic loader resolves them on this host:
 * `[{ path, source }]`, where `path` is where the loader looks (and where the image puts the
 * file) and `source` is the real file behind any symlinks.
 */
export async function linkedLibraries(binary) {
  const { stdout } = await execa('ldd', [binary]);
  const libraries = [];
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (text === '' || text.startsWith('linux-vdso')) continue;
    if (text.includes('not found'))
      throw new Error(`${binary} links a library this host lacks: ${text}`);
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const match = /^(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(text);
    if (match?.[1] === undefined) throw new Error(`unexpected ldd line: ${text}`);
    libraries.push({ path: match[1], source: await realpath(match[1]) });
  }
  return libraries;
}

const passwd = `root:x:0:0:root:/root:/sbin/nologin\nowkit:x:${OWKIT_UID}:${OWKIT_UID}:owkit:/home/owkit:/sbin/nologin\n`;
const group = `root:x:0:\nowkit:x:${OWKIT_UID}:\n`;
// glibc reads users and hosts from files only; without this it would try DNS before /etc/hosts.
const nsswitch = 'passwd: files\ngroup: files\nhosts: files dns\n';

/**
 * Lays out the image's whole filesystem under `rootfs`: node, its libraries at the paths the
 * loader uses (real files, never links), the users, and a sticky world-writable /tmp.
 */
export async function assembleRootfs({ stageDir, node, license, libraries }) {
  const rootfs = join(stageDir, 'rootfs');
  await rm(rootfs, { recursive: true, force: true });
  const put = async (source, path, mode) => {
    const target = join(rootfs, path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
    await chmod(target, mode);
  };
  const write = async (path, text) => {
    const target = join(rootfs, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { mode: 0o644 });
  };

  await put(node, '/usr/local/bin/node', 0o755);
  await put(license, '/usr/local/share/doc/node/LICENSE', 0o644);
  for (const library of libraries) await put(library.source, library.path, 0o755);
  await write('/etc/passwd', passwd);
  await write('/etc/group', group);
  await write('/etc/nsswitch.conf', nsswitch);

  const tmp = join(rootfs, 'tmp');
  await mkdir(tmp);
  await chmod(tmp, 0o1777);
  await mkdir(join(rootfs, 'home'));
  // COPY makes everything root's; the Dockerfile copies this empty dir with --chown to give
  // uid 10001 its own home.
  const home = join(stageDir, 'home-owkit');
  await rm(home, { recursive: true, force: true });
  await mkdir(home);
}
