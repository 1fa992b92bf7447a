import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { ActionCodeError } from './install.js';

/** How a child is started: `command` with `args` before the action's own arguments. */
export interface Launch {
  /** The action executable, whatever starts it. */
  execPath: string;
  command: string;
  args: string[];
}

export function directLaunch(execPath: string): Launch {
  return { execPath, command: execPath, args: [] };
}

/** Longest `#!` line read; the kernel's own limit is 256 bytes. */
const SHEBANG_BYTES = 256;

/**
 * How to start the executable, which must be a file this process may run. A file on a mount
 * without exec rights (Docker's `--tmpfs /tmp` is `noexec`) cannot be executed, but a script can
 * still be read by its interpreter: then the `#!` line is followed as the kernel would follow it.
 */
export async function launchFor(execPath: string): Promise<Launch> {
  let mode: number;
  try {
    const stats = await stat(execPath);
    if (!stats.isFile()) throw new ActionCodeError(`${execPath} is not a file`);
    mode = stats.mode;
  } catch (error) {
    if (error instanceof ActionCodeError) throw error;
    throw new ActionCodeError(`${execPath} does not exist`, { cause: error });
  }
  try {
    await access(execPath, constants.X_OK);
    return directLaunch(execPath);
  } catch (error) {
    if ((mode & 0o111) === 0) {
      throw new ActionCodeError(`${execPath} is not executable`, { cause: error });
    }
  }
  // Execute bits set, yet not executable: the file system is mounted noexec.
  const interpreter = await shebangOf(execPath);
  if (interpreter === undefined) {
    throw new ActionCodeError(
      `${execPath} is on a file system mounted noexec and is not a #! script; mount it with exec (docker run --tmpfs /tmp:exec)`,
    );
  }
  return { execPath, command: interpreter.command, args: [...interpreter.args, execPath] };
}

async function shebangOf(path: string): Promise<{ command: string; args: string[] } | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SHEBANG_BYTES);
    const { bytesRead } = await file.read(head, 0, SHEBANG_BYTES, 0);
    const text = head.toString('utf8', 0, bytesRead);
    if (!text.startsWith('#!')) return undefined;
    const newline = text.indexOf('\n');
    const line = (newline === -1 ? text.slice(2) : text.slice(2, newline)).trim();
    // As Linux does: the interpreter, then everything after it as one optional argument.
    const space = line.search(/[ \t]/);
    if (line === '') return undefined;
    if (space === -1) return { command: line, args: [] };
    const argument = line.slice(space).trim();
    return { command: line.slice(0, space), args: argument === '' ? [] : [argument] };
  } finally {
    await file.close();
  }
}
