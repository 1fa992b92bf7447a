import { execa } from 'execa';
import { StartError } from './errors.js';
import { freePort, urlFor, waitForPort } from './ports.js';

export interface StartProcessOptions {
  /** Extra environment, added to the parent's. `PORT` is always set from `port`. */
  env?: Record<string, string>;
  /** The port the child must listen on; a free one when omitted. */
  port?: number;
  cwd?: string;
  /** How long the child may take to accept connections. */
  readyTimeoutMs?: number;
}

export interface RunningProcess {
  pid: number;
  port: number;
  url: string;
  /** Everything the child printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Signals the child (SIGTERM by default) and resolves with its exit code, or null when a signal ended it. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

interface Exit {
  exitCode: number | null;
  signal: string | null;
}

/** Kill switches of children still running, keyed by pid. */
const liveChildren = new Map<number, () => void>();
let exitHookInstalled = false;

/** Spawns `command args` with PORT set and resolves once its port accepts connections. */
export async function startProcess(
  command: string,
  args: readonly string[] = [],
  options: StartProcessOptions = {},
): Promise<RunningProcess> {
  installExitHook();
  const port = options.port ?? (await freePort());
  const child = execa(command, args, {
    env: { ...options.env, PORT: String(port) },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  const childPid = child.pid;
  if (childPid !== undefined) liveChildren.set(childPid, () => child.kill('SIGKILL'));

  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  const exited: Promise<Exit> = child.then((result) => {
    if (childPid !== undefined) liveChildren.delete(childPid);
    return { exitCode: result.exitCode ?? null, signal: result.signal ?? null };
  });

  const describe = `${command} ${args.join(' ')}`.trim();
  const stopWaiting = new AbortController();
  const earlyExit = exited.then((exit) => {
    stopWaiting.abort();
    throw new StartError(
      `${describe} exited (code ${exit.exitCode}, signal ${exit.signal}) before listening on port ${port}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      { exitCode: exit.exitCode, stdout, stderr },
    );
  });
  // Whichever of the two loses the race must not surface as an unhandled rejection.
  earlyExit.catch(() => undefined);
  try {
    await Promise.race([
      waitForPort(port, options.readyTimeoutMs ?? 10_000, { signal: stopWaiting.signal }),
      earlyExit,
    ]);
  } catch (error) {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (error instanceof StartError) throw error;
    throw new StartError(`${describe} did not listen on port ${port}\nstderr:\n${stderr}`, {
      cause: error,
      stdout,
      stderr,
    });
  }

  if (childPid === undefined) throw new StartError(`${describe} has no pid`);

  return {
    pid: childPid,
    port,
    url: urlFor(port),
    stdout: () => stdout,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return (await exited).exitCode;
    },
  };
}

/** A test run that ends early must not leave servers holding ports. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const kill of liveChildren.values()) kill();
  });
}
