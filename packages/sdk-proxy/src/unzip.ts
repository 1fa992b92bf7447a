import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readlink, realpath, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export class UnsafeZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZipError';
  }
}

/** Caps on what one zip may unpack to; a zip past either is refused before a byte is written. */
export interface UnzipLimits {
  /** Uncompressed bytes of all entries together. */
  maxBytes: number;
  /** Entries: files, folders and links. */
  maxEntries: number;
}

const FILE_TYPE_MASK = 0o170000;
const SYMLINK_TYPE = 0o120000;
const DIRECTORY_TYPE = 0o040000;
/** Longest link target read into memory; a path, so a few kilobytes at most. */
const MAX_LINK_TARGET_BYTES = 4096;
/** As the kernel's own limit on links followed in one lookup. */
const MAX_LINK_HOPS = 40;

/**
 * Unpacks the zip file at `zipPath` into `directory`, which must be new and empty: nothing in it
 * can redirect a write, and the caller removes the whole folder when this throws. First the
 * central directory alone is read, for the caps and every entry's name; then the entries are
 * written, links last, each checked to land inside — dangling ones included.
 */
export async function extractZip(
  zipPath: string,
  directory: string,
  limits: UnzipLimits,
): Promise<void> {
  const root = await realpath(directory);
  await checkDirectory(zipPath, root, limits);
  const zipFile = await openZip(zipPath);
  const links: Array<{ path: string; target: string; name: string }> = [];
  try {
    for await (const entry of entries(zipFile)) {
      const path = insideRoot(root, entry.fileName);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & FILE_TYPE_MASK;
      if (entry.fileName.endsWith('/') || type === DIRECTORY_TYPE) {
        await mkdir(path, { recursive: true });
      } else if (type === SYMLINK_TYPE) {
        if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) {
          throw new UnsafeZipError(`${entry.fileName}: a link target longer than a path can be`);
        }
        const target = (await readEntry(zipFile, entry)).toString('utf8');
        if (isAbsolute(target)) {
          throw new UnsafeZipError(`${entry.fileName}: link to an absolute path ${target}`);
        }
        links.push({ path, target, name: entry.fileName });
      } else {
        // No link exists yet, so the folders created here are the ones the names say.
        await mkdir(dirname(path), { recursive: true });
        await pipeline(
          await openEntry(zipFile, entry),
          createWriteStream(path, { mode: mode & 0o111 ? 0o755 : 0o644 }),
        );
      }
    }
  } finally {
    zipFile.close();
  }
  for (const link of links) {
    await mkdir(dirname(link.path), { recursive: true });
    await symlink(link.target, link.path);
  }
  // Only with every link in place can a chain of them be followed to where it really leads.
  for (const link of links) {
    const landing = await landingOf(link.path);
    if (landing !== root && !landing.startsWith(root + sep)) {
      throw new UnsafeZipError(`${link.name}: link resolves outside the action (${link.target})`);
    }
  }
}

/** The caps and every name, from the central directory alone: a bomb is refused at once. */
async function checkDirectory(zipPath: string, root: string, limits: UnzipLimits): Promise<void> {
  const zipFile = await openZip(zipPath);
  try {
    if (zipFile.entryCount > limits.maxEntries) {
      throw new UnsafeZipError(
        `${zipFile.entryCount} entries, over the limit of ${limits.maxEntries} (--unzip-max-entries)`,
      );
    }
    let bytes = 0;
    for await (const entry of entries(zipFile)) {
      insideRoot(root, entry.fileName);
      bytes += entry.uncompressedSize;
      if (bytes > limits.maxBytes) {
        throw new UnsafeZipError(
          `it unpacks to more than ${limits.maxBytes} bytes (--unzip-max-bytes)`,
        );
      }
    }
  } finally {
    zipFile.close();
  }
}

/**
 * Where a path leads once every link on the way is followed, as the kernel would. Unlike
 * realpath, a missing part does not stop it: the rest is added as written, so a dangling link
 * still shows where a write through it would land.
 */
async function landingOf(path: string, hops = 0): Promise<string> {
  if (hops > MAX_LINK_HOPS) throw new UnsafeZipError(`${path}: too many levels of links`);
  const parts = path.split(sep).filter((part) => part !== '' && part !== '.');
  let current: string = sep;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    const stats = await lstat(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (stats === undefined) return resolve(next, ...parts.slice(i + 1));
    if (stats.isSymbolicLink()) {
      const target = await readlink(next);
      // Joined as text, not resolved: `..` after a link must go up from where the link leads.
      const base = isAbsolute(target) ? target : `${current}${sep}${target}`;
      return landingOf([base, ...parts.slice(i + 1)].join(sep), hops + 1);
    }
    current = next;
  }
  return current;
}

function insideRoot(root: string, name: string): string {
  const path = resolve(root, name);
  if (isAbsolute(name) || (path !== root && !path.startsWith(root + sep))) {
    throw new UnsafeZipError(`${name}: path escapes the action folder`);
  }
  return path;
}

function openZip(zipPath: string): Promise<ZipFile> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, validateEntrySizes: true }, (error, zipFile) => {
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
