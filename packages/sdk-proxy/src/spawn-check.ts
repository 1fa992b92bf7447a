/**
 * Why a child cannot be started, said without echoing any environment value: `/init` env holds
 * the action's secrets, and Node's own messages for these cases quote the value.
 */

/** The kernel's limit for one argument or one `NAME=value` string, its NUL included. */
export const MAX_ARGUMENT_BYTES = 131_071;

/** What the kernel would refuse in this environment, named by variable; undefined when fine. */
export function environmentProblem(env: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(env)) {
    const shown = printableName(name);
    if (name.includes('\0') || name.includes('=') || name === '') {
      return `the environment variable name ${shown} cannot be passed to a process (it is empty or holds "=" or a NUL byte)`;
    }
    if (value.includes('\0')) {
      return `the environment variable ${shown} holds a NUL byte, which no process environment can carry`;
    }
    const bytes = Buffer.byteLength(name) + 1 + Buffer.byteLength(value);
    if (bytes > MAX_ARGUMENT_BYTES) {
      return `the environment variable ${shown} is ${bytes} bytes as NAME=value, over the kernel's ${MAX_ARGUMENT_BYTES}-byte limit for one string (E2BIG)`;
    }
  }
  return undefined;
}

/** An errno from spawn (or an exception) as a cause for the logs, never with its message text. */
export function spawnFailure(execPath: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `${execPath} does not exist, or the interpreter on its #! line does not (ENOENT)`;
    case 'EACCES':
      return `${execPath} is not executable by this user (EACCES)`;
    case 'ENOEXEC':
      return `${execPath} is not a program the kernel can run; a script needs a #! line (ENOEXEC)`;
    case 'E2BIG':
      return `the arguments and environment of ${execPath} are too large for the kernel (E2BIG)`;
    case 'EMFILE':
    case 'ENFILE':
    case 'EAGAIN':
    case 'ENOMEM':
      return `the container is out of processes, files or memory (${code})`;
    default:
      return `${execPath} could not be spawned (${code ?? 'no error code'})`;
  }
}

/** Whether the cause means there is nothing runnable, as opposed to a bad environment. */
export function meansNotRunnable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'ENOEXEC';
}

function printableName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}
