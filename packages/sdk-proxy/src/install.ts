import { constants } from 'node:fs';
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Base64ToFile, decodeJsonString } from './code-stream.js';
import { extractZip, type UnzipLimits } from './unzip.js';

/** Why the action's code could not be put in place or run; the cause goes to the logs. */
export class ActionCodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionCodeError';
  }
}

export interface InstallRequest {
  /** The raw JSON of `value.code` (a string literal, quotes included); null when there is none. */
  code: Buffer | null;
  binary: boolean;
}

/**
 * Puts `/init` code in place and returns the executable to run. Text becomes the executable
 * itself; `binary: true` is a base64 zip, decoded as a stream to a file and unpacked into a new
 * folder, then moved next to the executable; it must hold it. The executable's folder is used
 * when it is writable; under a read-only root the code goes to a new folder in the temporary
 * directory instead, and the executable follows it there. Nothing of a failed attempt is left.
 */
export async function installCode(
  request: InstallRequest,
  execPath: string,
  limits: UnzipLimits,
  log: (line: string) => void,
): Promise<string> {
  if (request.code === null) return execPath;
  const { folder, fresh } = await writableFolder(dirname(execPath), log);
  const target = join(folder, basename(execPath));
  try {
    if (request.binary) await installZip(request.code, folder, target, limits);
    else await installText(request.code, target);
    await chmod(target, 0o755);
    return target;
  } catch (error) {
    if (fresh) await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

/** The executable's folder when this process may write there, else a new one under tmpdir. */
async function writableFolder(
  folder: string,
  log: (line: string) => void,
): Promise<{ folder: string; fresh: boolean }> {
  try {
    await mkdir(folder, { recursive: true });
    await access(folder, constants.W_OK);
    return { folder, fresh: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') throw error;
    const elsewhere = await mkdtemp(join(tmpdir(), 'owkit-action-'));
    log(`${folder} is not writable (${code}); the action's code goes to ${elsewhere}`);
    return { folder: elsewhere, fresh: true };
  }
}

async function installText(code: Buffer, target: string): Promise<void> {
  const staging = stagingName(target);
  try {
    const file = await open(staging, 'w', 0o755);
    try {
      await decodeJsonString(code, async (piece) => {
        await file.write(piece, 0, piece.length);
      });
    } finally {
      await file.close();
    }
    // Renaming over the old file works even while it is running (writing into it would not).
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { force: true });
    throw error;
  }
}

async function installZip(
  code: Buffer,
  folder: string,
  target: string,
  limits: UnzipLimits,
): Promise<void> {
  const zipPath = `${stagingName(join(folder, '.owkit-code'))}.zip`;
  const unpacked = await mkdtemp(join(folder, '.owkit-unpack-'));
  try {
    const file = await open(zipPath, 'w', 0o600);
    try {
      const decoder = new Base64ToFile(file);
      await decodeJsonString(code, (piece) => decoder.push(piece));
      await decoder.finish();
    } finally {
      await file.close();
    }
    try {
      await extractZip(zipPath, unpacked, limits);
    } catch (error) {
      throw new ActionCodeError(`init code is not a usable zip: ${(error as Error).message}`, {
        cause: error,
      });
    }
    await rm(zipPath, { force: true });
    const name = basename(target);
    if (!(await exists(join(unpacked, name)))) {
      throw new ActionCodeError(`the zip holds no ${name} at its top level`);
    }
    // Whole top-level entries move in, each replacing what had its name (the image's stub).
    for (const entry of await readdir(unpacked)) {
      await rm(join(folder, entry), { recursive: true, force: true });
      await rename(join(unpacked, entry), join(folder, entry));
    }
    await rmdir(unpacked);
  } finally {
    await rm(zipPath, { force: true });
    await rm(unpacked, { recursive: true, force: true });
  }
}

function stagingName(path: string): string {
  return `${path}.owkit-${process.pid}-${Date.now()}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
