import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainer, startProcess } from '@owkit/testkit';
import { execa } from 'execa';
import {
  proxyBaseImages,
  proxyBundle,
  repoRoot,
  type ServerKind,
  type StartMode,
  type Variant,
} from './variants.js';

export interface ServerLogs {
  stdout: string;
  stderr: string;
}

/** A server under test, however it was started. */
export interface Server {
  label: string;
  kind: ServerKind;
  start: StartMode;
  url: string;
  port: number;
  /** Host pid of the server process; for an image, the container's PID 1 (tini for the proxies). */
  pid: number;
  /** For an image: the full container id (its cgroup, `docker inspect`). */
  containerId?: string;
  /** For a process-started proxy: the executable it runs (a private copy, safe to overwrite). */
  execPath?: string;
  /** Everything written so far on stdout and stderr. */
  logs(): Promise<ServerLogs>;
  /** SIGTERM, then the exit code and how long the exit took. */
  stop(): Promise<{ exitCode: number | null; stopMs: number }>;
}

export interface StartOptions {
  /** Extra environment of the server. */
  env?: Record<string, string>;
  /** Extra proxy flags (`--timeout`, `--pool`, …); process-started proxies only. */
  proxyArgs?: readonly string[];
  /** Extra `docker run` arguments; images only. */
  dockerArgs?: readonly string[];
}

/** Starts the variant's action server: its own binary or bundle, or its image. */
export function startVariant(
  variant: Variant,
  start: StartMode,
  options: StartOptions = {},
): Promise<Server> {
  const label = `${variant.id} · ${start}`;
  if (start === 'image') return startImage(label, variant.kind, variant.image, options);
  if (variant.kind === 'native') {
    const [command = '', ...args] = variant.local;
    return startLocal(label, variant.kind, command, args, options);
  }
  return startLocalProxy(label, variant.kind, variant.local[0] as string, options);
}

/**
 * Starts a proxy with nothing installed yet, for tests that send their own code at `/init`: the
 * proxy bundle with a fresh executable path, or the proxy base image (its stub executable).
 */
export function startBareProxy(
  kind: 'blackbox' | 'actionloop',
  start: StartMode,
  options: StartOptions = {},
): Promise<Server> {
  const label = `sdk-proxy ${kind} · ${start}`;
  if (start === 'image') return startImage(label, kind, proxyBaseImages[kind], options);
  return startLocalProxy(label, kind, undefined, options);
}

async function startLocalProxy(
  label: string,
  kind: ServerKind,
  executable: string | undefined,
  options: StartOptions,
): Promise<Server> {
  const folder = await mkdtemp(join(tmpdir(), 'owkit-conformance-'));
  const execPath = join(folder, 'exec');
  // A private copy: code sent at /init (by a test or the fuzzer) must never overwrite the build.
  if (executable !== undefined) await copyFile(executable, execPath);
  const args = [proxyBundle, '--exec', execPath];
  if (kind === 'actionloop') args.push('--mode', 'actionloop');
  args.push(...(options.proxyArgs ?? []));
  const server = await startLocal(label, kind, process.execPath, args, options);
  const stop = server.stop;
  return {
    ...server,
    execPath,
    async stop() {
      try {
        return await stop();
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
  };
}

async function startLocal(
  label: string,
  kind: ServerKind,
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<Server> {
  const child = await startProcess(command, args, {
    env: options.env ?? {},
    cwd: repoRoot,
  });
  return {
    label,
    kind,
    start: 'process',
    url: child.url,
    port: child.port,
    pid: child.pid,
    logs: async () => ({ stdout: child.stdout(), stderr: child.stderr() }),
    async stop() {
      const startedAt = performance.now();
      const exitCode = await child.stop('SIGTERM');
      return { exitCode, stopMs: performance.now() - startedAt };
    },
  };
}

async function startImage(
  label: string,
  kind: ServerKind,
  image: string,
  options: StartOptions,
): Promise<Server> {
  const container = await startContainer(image, {
    ...(options.env === undefined ? {} : { env: options.env }),
    extraArgs: options.dockerArgs ?? [],
    name: `owkit-conformance-${randomUUID().slice(0, 8)}`,
  });
  const inspected = await execa('docker', ['inspect', '--format', '{{.State.Pid}}', container.id]);
  return {
    label,
    kind,
    start: 'image',
    containerId: container.id,
    url: container.url,
    port: container.port,
    pid: Number(inspected.stdout.trim()),
    logs: () => container.logs(),
    stop: () => container.stop(),
  };
}
