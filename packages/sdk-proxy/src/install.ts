import { constants } from 'node:fs';
import { access, chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { extractZip } from './unzip.js';

/** Why the action's code could not be put in place or run; the cause goes to the logs. */
export class ActionCodeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActionCodeError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Puts `/init` code in place: text becomes the executable itself, `binary: true` is a base64 zip
 * unpacked next to it that must hold it. Without code the image's executable is used as it is.
 */
export async function installCode(value: Record<string, unknown>, execPath: string): Promise<void> {
  const { code } = value;
  if (code === undefined || code === null) return;
  if (typeof code !== 'string') throw new ActionCodeError('init code must be a string');
  const folder = dirname(execPath);
  await mkdir(folder, { recursive: true });
  if (value.binary === true) {
    await installZip(code, folder, execPath);
  } else {
    const staging = `${execPath}.owkit-${process.pid}-${Date.now()}`;
    await writeFile(staging, code, { mode: 0o755 });
    // Renaming over the old file works even while it is running (writing into it would not).
    await rename(staging, execPath);
  }
  await chmod(execPath, 0o755);
}

async function installZip(code: string, folder: string, execPath: string): Promise<void> {
  const compact = code.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new ActionCodeError('init code is not valid base64');
  }
  // The image's own executable (the stub) must not stand in for one the zip lacks.
  await rm(execPath, { force: true });
  try {
    await extractZip(Buffer.from(compact, 'base64'), folder);
  } catch (error) {
    throw new ActionCodeError(`init code is not a usable zip: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    await stat(execPath);
  } catch (error) {
    throw new ActionCodeError(`the zip holds no ${basename(execPath)} at its top level`, {
      cause: error,
    });
  }
}

/** The executable must be a file this process may run. */
export async function checkExecutable(execPath: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(execPath)).isFile();
  } catch (error) {
    throw new ActionCodeError(`${execPath} does not exist`, { cause: error });
  }
  if (!isFile) throw new ActionCodeError(`${execPath} is not a file`);
  try {
    await access(execPath, constants.X_OK);
  } catch (error) {
    throw new ActionCodeError(`${execPath} is not executable`, { cause: error });
  }
}
