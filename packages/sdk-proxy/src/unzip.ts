import { createWriteStream } from 'node:fs';
import { mkdir, realpath, rename, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export class UnsafeZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZipError';
  }
}

const FILE_TYPE_MASK = 0o170000;
const SYMLINK_TYPE = 0o120000;
const DIRECTORY_TYPE = 0o040000;

/**
 * Unpacks a zip into `directory`, refusing any entry that would land outside it: `..` and
 * absolute paths (yauzl refuses those itself), and symbolic links that point out. Links are
 * created last, so no file is ever written through one.
 */
export async function extractZip(zip: Buffer, directory: string): Promise<void> {
  const root = resolve(directory);
  await mkdir(root, { recursive: true });
  const realRoot = await realpath(root);
  const zipFile = await openZip(zip);
  const links: Array<{ path: string; target: string }> = [];
  try {
    for await (const entry of entries(zipFile)) {
      const path = insideRoot(root, entry.fileName);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & FILE_TYPE_MASK;
      if (entry.fileName.endsWith('/') || type === DIRECTORY_TYPE) {
        await mkdir(path, { recursive: true });
      } else if (type === SYMLINK_TYPE) {
        const target = (await readEntry(zipFile, entry)).toString('utf8');
        if (isAbsolute(target)) {
          throw new UnsafeZipError(`${entry.fileName}: link to an absolute path ${target}`);
        }
        insideRoot(root, relative(root, resolve(dirname(path), target)), entry.fileName);
        links.push({ path, target });
      } else {
        await mkdir(dirname(path), { recursive: true });
        // A link left in the folder before this zip must not carry a file out of it.
        await landsInside(realRoot, dirname(path), entry.fileName);
        await writeEntry(zipFile, entry, path, mode & 0o111 ? 0o755 : 0o644);
      }
    }
  } finally {
    zipFile.close();
  }
  try {
    for (const link of links) {
      await mkdir(dirname(link.path), { recursive: true });
      await symlink(link.target, link.path);
    }
    // A chain of links, each fine on its own, may still resolve outside; check where they land.
    for (const link of links) await landsInside(realRoot, link.path, relative(root, link.path));
  } catch (error) {
    // Links that lead out must not stay behind for a retried /init to write through.
    await Promise.all(links.map((link) => rm(link.path, { force: true })));
    throw error;
  }
}

async function landsInside(realRoot: string, path: string, shownAs: string): Promise<void> {
  const landing = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (landing !== undefined && landing !== realRoot && !landing.startsWith(realRoot + sep)) {
    throw new UnsafeZipError(`${shownAs}: link resolves outside the action`);
  }
}

function insideRoot(root: string, name: string, shownAs = name): string {
  const path = resolve(root, name);
  if (isAbsolute(name) || (path !== root && !path.startsWith(root + sep))) {
    throw new UnsafeZipError(`${shownAs}: path escapes the action folder`);
  }
  return path;
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, zipFile) => {
      if (error) reject(error);
      else resolvePromise(zipFile);
    });
  });
}

async function* entries(zipFile: ZipFile): AsyncGenerator<Entry> {
  while (true) {
    const next = await new Promise<Entry | undefined>((resolvePromise, reject) => {
      const cleanup = () => {
        zipFile.off('entry', onEntry);
        zipFile.off('end', onEnd);
        zipFile.off('error', onError);
      };
      const onEntry = (entry: Entry) => {
        cleanup();
        resolvePromise(entry);
      };
      const onEnd = () => {
        cleanup();
        resolvePromise(undefined);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      zipFile.on('entry', onEntry);
      zipFile.on('end', onEnd);
      zipFile.on('error', onError);
      zipFile.readEntry();
    });
    if (next === undefined) return;
    yield next;
  }
}

function openEntry(zipFile: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) => {
    zipFile.openReadStream(entry, (error, stream) => {
      if (error) reject(error);
      else resolvePromise(stream);
    });
  });
}

async function readEntry(zipFile: ZipFile, entry: Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openEntry(zipFile, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes beside the destination and renames, so a file in use (a running binary) is replaced. */
async function writeEntry(
  zipFile: ZipFile,
  entry: Entry,
  path: string,
  mode: number,
): Promise<void> {
  const staging = `${path}.owkit-${process.pid}-${Date.now()}`;
  await pipeline(await openEntry(zipFile, entry), createWriteStream(staging, { mode }));
  await rename(staging, path);
}
