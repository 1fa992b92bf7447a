import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The helper's file name; it sits beside the bundle (dist/, /opt/owkit/ in the image). */
export const SPAWN_HELPER_NAME = 'owkit-spawn';

/** What happens to one child, in order: started or failed, output, exit, close. */
export interface ChildEvents {
  started(pid: number): void;
  /** Not started; `error.code` names the errno (ENOENT, EACCES, E2BIG, …) when known. */
  failed(error: unknown): void;
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  exit(code: number | null, signal: string | null): void;
  /**
   * Both output pipes ended after the exit: every byte was delivered. Through the helper, the
   * child's group is killed by then and, when its environment carries a tree tag, every process
   * carrying it: the sweep of process-tree.ts, done in Go before this frame.
   */
  close(): void;
}

export interface HelperSpawn {
  command: string;
  args: readonly string[];
  cwd: string;
  /** Set over the helper's own environment (the proxy's). */
  envOverrides: Readonly<Record<string, string>>;
  stdin: Buffer;
}

/** A handle on a child the helper runs. */
export interface HelperChild {
  /** Closes the child's output pipes now (a grandchild that keeps them open). */
  cut(): void;
}

const HEADER_BYTES = 9;

/** Where the helper is looked for: beside this module (the bundle, or dist/ after a build). */
export function defaultSpawnHelperPath(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, SPAWN_HELPER_NAME),
    join(here, '..', 'dist', SPAWN_HELPER_NAME),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The proxy's side of owkit-spawn (cmd/owkit-spawn): one resident Go process that starts every
 * blackbox child with clone(CLONE_VFORK), so that a spawn no longer forks the whole proxy. One
 * frame out per activation; the child's pid, output, exit and close come back as frames.
 */
export class SpawnHelper {
  readonly #path: string;
  readonly #env: Record<string, string>;
  #process: ChildProcessWithoutNullStreams | undefined;
  #next = 0;
  readonly #children = new Map<number, ChildEvents>();
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(path: string, env: Record<string, string>) {
    this.#path = path;
    this.#env = env;
  }

  spawn(request: HelperSpawn, events: ChildEvents, written: () => void): HelperChild {
    const helper = this.#start();
    this.#next = (this.#next + 1) >>> 0;
    const id = this.#next;
    this.#children.set(id, events);
    helper.stdin.write(encodeSpawn(id, request), written);
    return {
      cut: () => {
        if (this.#children.has(id)) helper.stdin.write(frame('K', id, EMPTY));
      },
    };
  }

  /**
   * Starts the helper ahead of the first activation (at /init): it is part of the proxy, so it
   * is there before the action runs, and the first activation does not pay for its start.
   */
  warm(): void {
    this.#start();
  }

  /** Ends the helper; children still running are the proxy's to kill first. */
  close(): void {
    this.#process?.stdin.end();
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#process !== undefined) return this.#process;
    // The helper's own environment stays empty: the proxy's, the base of every child's, comes
    // in the first frame, so that nothing looking for an action's processes by a variable of
    // the proxy's environment mistakes the helper for one.
    const helper = spawn(this.#path, [], {
      env: {},
      stdio: 'pipe',
      // Its own group: a Ctrl-C meant for the proxy reaches the proxy, which then ends it.
      detached: true,
    });
    this.#process = helper;
    helper.stdin.write(
      encodeFrame(
        'B',
        0,
        [Object.entries(this.#env).map(([name, value]) => `${name}=${value}`)],
        EMPTY,
      ),
    );
    helper.stdout.on('data', (chunk: Buffer) => this.#read(chunk));
    helper.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    helper.stdin.on('error', () => {});
    helper.once('error', (error) =>
      this.#lost(helper, `cannot start ${this.#path}: ${error.message}`),
    );
    helper.once('exit', (code, signal) =>
      this.#lost(helper, `${this.#path} exited (${signal ?? `code ${code}`})`),
    );
    return helper;
  }

  /** The helper is gone: its children's pipes are gone too; each activation ends as not started. */
  #lost(helper: ChildProcessWithoutNullStreams, why: string): void {
    if (this.#process !== helper) return;
    this.#process = undefined;
    this.#pending = [];
    this.#pendingBytes = 0;
    const orphans = [...this.#children.values()];
    this.#children.clear();
    if (orphans.length > 0) process.stderr.write(`owkit-proxy: the spawn helper ${why}.\n`);
    for (const events of orphans) {
      events.failed({ code: 'EHELPER' });
    }
  }

  #read(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes < HEADER_BYTES) return;
    let data = this.#pending.length === 1 ? chunk : Buffer.concat(this.#pending);
    let at = 0;
    while (data.length - at >= HEADER_BYTES) {
      const length = data.readUInt32LE(at);
      if (data.length - at < 4 + length) break;
      const kind = data[at + 4] as number;
      const id = data.readUInt32LE(at + 5);
      const payload = data.subarray(at + HEADER_BYTES, at + 4 + length);
      at += 4 + length;
      this.#dispatch(kind, id, payload);
    }
    data = data.subarray(at);
    this.#pending = data.length === 0 ? [] : [data];
    this.#pendingBytes = data.length;
  }

  #dispatch(kind: number, id: number, payload: Buffer): void {
    const events = this.#children.get(id);
    if (events === undefined) return;
    switch (kind) {
      case FRAME.started:
        events.started(payload.readUInt32LE(0));
        break;
      case FRAME.failed:
        this.#children.delete(id);
        events.failed({ code: payload.toString('latin1') });
        break;
      case FRAME.stdout:
        // The frame's bytes are a view of a chunk that later frames share: keep a copy.
        events.stdout(Buffer.from(payload));
        break;
      case FRAME.stderr:
        events.stderr(Buffer.from(payload));
        break;
      case FRAME.exited: {
        const code = payload.readInt32LE(0);
        const signal = payload.toString('latin1', 4);
        events.exit(code === -1 ? null : code, signal === '' ? null : signal);
        break;
      }
      case FRAME.closed:
        this.#children.delete(id);
        events.close();
        break;
    }
  }
}

const FRAME = {
  started: 'P'.charCodeAt(0),
  failed: 'F'.charCodeAt(0),
  stdout: 'O'.charCodeAt(0),
  stderr: 'E'.charCodeAt(0),
  exited: 'X'.charCodeAt(0),
  closed: 'C'.charCodeAt(0),
} as const;

const EMPTY = Buffer.alloc(0);

function frame(kind: string, id: number, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(5 + payload.length, 0);
  header[4] = kind.charCodeAt(0);
  header.writeUInt32LE(id, 5);
  return payload.length === 0 ? header : Buffer.concat([header, payload]);
}

/** An 'S' frame: path and cwd, the arguments, the environment overrides, then stdin. */
function encodeSpawn(id: number, request: HelperSpawn): Buffer {
  return encodeFrame(
    'S',
    id,
    [
      [request.command, request.cwd],
      [request.command, ...request.args],
      Object.entries(request.envOverrides).map(([name, value]) => `${name}=${value}`),
    ],
    request.stdin,
  );
}

/** A frame whose payload is lists of strings (each a count, then length-prefixed strings), then `tail`. */
function encodeFrame(kind: string, id: number, lists: string[][], tail: Buffer): Buffer {
  let bytes = HEADER_BYTES + tail.length;
  for (const list of lists) {
    bytes += 4;
    for (const item of list) bytes += 4 + Buffer.byteLength(item);
  }
  const out = Buffer.allocUnsafe(bytes);
  out.writeUInt32LE(bytes - 4, 0);
  out[4] = kind.charCodeAt(0);
  out.writeUInt32LE(id, 5);
  let at = HEADER_BYTES;
  for (const list of lists) {
    out.writeUInt32LE(list.length, at);
    at += 4;
    for (const item of list) {
      const size = out.write(item, at + 4);
      out.writeUInt32LE(size, at);
      at += 4 + size;
    }
  }
  tail.copy(out, at);
  return out;
}
