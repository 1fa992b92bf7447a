import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { containerState, runContainer } from '@owkit/host/docker';
import { waitForPort } from '@owkit/host/ports';
import { BENCH_LABEL, type Engine } from './docker.js';
import { BenchError, describeError } from './errors.js';
import { containerProbe, processTreeProbe, type ResourceProbe } from './memory.js';
import type { Variant } from './variants.js';

/** One running server of a variant, in a container or as a plain process. */
export interface ServerInstance {
  /** Container id, or `pid <n>`. */
  id: string;
  port: number;
  url: string;
  /** Asks whether the server is still up (for a container, the engine: not cheap). */
  stillRunning(): Promise<boolean>;
  /** How a process that exited ended, with the end of its stderr; null while it runs. */
  exitReport?(): string | null;
  /** Aborted the moment a process exits (a container has none: the engine is asked instead). */
  exited?: AbortSignal;
  probe(): Promise<ResourceProbe>;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  port: number;
  /** CPUs the server may use (`--cpuset-cpus` / `taskset -c`); unpinned when absent. */
  cpuset?: string;
  /** The image to run instead of the variant's own (a registry copy, for pulls). */
  image?: string;
}

export interface Launcher {
  runtime: 'docker' | 'process';
  /** Resolves once the server has been started (the CLI returned, or the process spawned). */
  launch(variant: Variant, options: LaunchOptions): Promise<ServerInstance>;
}

/** How often a container is asked whether it still runs while its port is awaited. */
const STILL_RUNNING_CHECK_MS = 500;

/**
 * Resolves once the server's port accepts a connection. The poll is 1 ms apart because this wait
 * is a phase of the cold start being measured. A process that exits first rejects at once with
 * its exit code and the end of its stderr; a container is asked of the engine only twice a
 * second, so the question does not slow a normal start down.
 */
export async function waitUntilListening(server: ServerInstance, timeoutMs: number): Promise<void> {
  const died = new AbortController();
  const done = new AbortController();
  const signal =
    server.exited === undefined ? died.signal : AbortSignal.any([died.signal, server.exited]);
  const watch =
    server.exited !== undefined
      ? Promise.resolve()
      : (async () => {
          while (!done.signal.aborted) {
            await delay(STILL_RUNNING_CHECK_MS, undefined, { signal: done.signal }).catch(
              () => undefined,
            );
            if (done.signal.aborted) return;
            if (!(await server.stillRunning())) {
              died.abort(
                new BenchError(`the server for port ${server.port} exited before listening`),
              );
              return;
            }
          }
        })();
  try {
    await waitForPort(server.port, timeoutMs, { signal, intervalMs: 1 });
  } catch (error) {
    const report = server.exitReport?.();
    if (report && !signal.aborted) throw new BenchError(`${describeError(error)} (${report})`);
    throw error;
  } finally {
    done.abort();
    await watch;
  }
}

export function dockerLauncher(engine: Engine): Launcher {
  return {
    runtime: 'docker',
    async launch(variant, options) {
      const image = options.image ?? variant.image;
      if (image === undefined) throw new BenchError(`${variant.name} has no image`);
      // Resolves when `docker run --detach` returns: the wait for the port is timed apart.
      const container = await runContainer(image, {
        ...engine,
        port: options.port,
        env: variant.env,
        label: BENCH_LABEL,
        extraArgs: options.cpuset === undefined ? [] : ['--cpuset-cpus', options.cpuset],
      });
      let removed = false;
      let probe: ResourceProbe | undefined;
      return {
        id: container.id,
        port: options.port,
        url: container.url,
        async stillRunning() {
          if (removed) return false;
          const state = await containerState(container.id, engine).catch(() => null);
          return state?.running === true;
        },
        async probe() {
          probe ??= await containerProbe((await containerState(container.id, engine)).pid);
          return probe;
        },
        async stop() {
          if (removed) return;
          removed = true;
          await container.remove();
        },
      };
    },
  };
}

export function processLauncher(): Launcher {
  return {
    runtime: 'process',
    async launch(variant, options) {
      if (variant.process === undefined) throw new BenchError(`${variant.name} has no command`);
      const { command, args } = variant.process;
      const [file, argv] =
        options.cpuset === undefined
          ? [command, args]
          : ['taskset', ['--cpu-list', options.cpuset, command, ...args]];
      // The servers' logs (sentinels included) go to a file, as an invoker's log collection
      // would read them: a write per line, no pipe for anyone to drain. Removed at stop.
      const env: NodeJS.ProcessEnv = { ...process.env, ...variant.env, PORT: String(options.port) };
      for (const name of variant.unsetEnv ?? []) delete env[name];
      const logDir = mkdtempSync(join(tmpdir(), `owkit-bench-${variant.name}-`));
      const dropLogs = () => rmSync(logDir, { recursive: true, force: true });
      const stdout = openSync(join(logDir, 'stdout.log'), 'a');
      const stderr = openSync(join(logDir, 'stderr.log'), 'a');
      const child = spawn(file, argv, { env, stdio: ['ignore', stdout, stderr] });
      closeSync(stdout);
      closeSync(stderr);
      try {
        await Promise.race([
          once(child, 'spawn'),
          once(child, 'error').then(([error]) => {
            throw new BenchError(`could not start ${command}: ${String(error)}`);
          }),
        ]);
      } catch (error) {
        dropLogs();
        throw error;
      }
      const pid = child.pid as number;
      let exited = false;
      let exitReport: string | null = null;
      const exitedController = new AbortController();
      child.once('exit', (code, signal) => {
        exited = true;
        const stderrTail = (() => {
          try {
            return readFileSync(join(logDir, 'stderr.log'), 'utf8').trim().slice(-500);
          } catch {
            return ''; // the folder is gone already: nothing to add
          }
        })();
        exitReport = `exit ${signal ?? code}${stderrTail === '' ? '' : `; stderr ends: ${stderrTail}`}`;
        dropLogs();
        exitedController.abort(
          new BenchError(
            `the server for port ${options.port} exited before listening (${exitReport})`,
          ),
        );
      });
      return {
        id: `pid ${pid}`,
        port: options.port,
        url: `http://127.0.0.1:${options.port}`,
        stillRunning: async () => !exited,
        exitReport: () => exitReport,
        exited: exitedController.signal,
        async probe() {
          return processTreeProbe(pid);
        },
        async stop() {
          if (exited) return;
          const gone = once(child, 'exit');
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await gone;
          clearTimeout(timer);
        },
      };
    },
  };
}
