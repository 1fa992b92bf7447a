import { cpus, release, totalmem } from 'node:os';
import { dockerCommand, engineVersion, imageExists } from '@owkit/host/docker';
import { invokerLimitArgs } from '@owkit/host/invoker-limits';
import { execa } from 'execa';
import type { Engine } from './docker.js';
import { NODE_BASE_IMAGE } from './images.js';
import { REPO_DIR } from './paths.js';

export interface Environment {
  cpuModel: string;
  cpuCores: number;
  memoryBytes: number;
  kernel: string;
  cgroupVersion: 1 | 2;
  dockerServerVersion: string | null;
  dockerClientVersion: string | null;
  nodeVersionHost: string;
  nodeVersionImage: string | null;
  goVersion: string | null;
  autocannonVersion: string;
  gitCommit: string | null;
  gitDirty: boolean | null;
  /** The CPUs the bench process (the load generator) may run on, as taskset reports them. */
  loadGeneratorCpus: string;
  /** The CPUs servers under load are held to. */
  serverCpus: string;
}

async function output(command: string, args: string[]): Promise<string | null> {
  const result = await execa(command, args, { reject: false, stdin: 'ignore', cwd: REPO_DIR });
  return result.exitCode === 0 ? String(result.stdout).trim() : null;
}

/** The code a run measures: read when it starts, since commits made while it runs are not in it. */
export interface Source {
  gitCommit: string | null;
  gitDirty: boolean | null;
}

export async function readSource(): Promise<Source> {
  const status = await output('git', ['status', '--porcelain']);
  return {
    gitCommit: await output('git', ['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status !== '',
  };
}

export async function readEnvironment(
  engine: Engine | null,
  serverCpus: string,
  autocannonVersion: string,
  source: Source,
): Promise<Environment> {
  const cgroup = await output('stat', ['-fc', '%T', '/sys/fs/cgroup']);
  const affinity = await output('taskset', ['--cpu-list', '--pid', String(process.pid)]);
  const hasNodeBase = engine !== null && (await imageExists(NODE_BASE_IMAGE, engine));
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCores: cpus().length,
    memoryBytes: totalmem(),
    kernel: release(),
    cgroupVersion: cgroup === 'cgroup2fs' ? 2 : 1,
    dockerServerVersion: engine === null ? null : await engineVersion(engine).catch(() => null),
    dockerClientVersion: await output('docker', ['version', '--format', '{{.Client.Version}}']),
    nodeVersionHost: process.version,
    nodeVersionImage: hasNodeBase
      ? await dockerCommand([
          'run',
          '--rm',
          ...invokerLimitArgs(),
          '--network',
          'none',
          '--entrypoint',
          '/usr/local/bin/node',
          NODE_BASE_IMAGE,
          '--version',
        ]).catch(() => null)
      : null,
    goVersion: await output('go', ['env', 'GOVERSION']),
    autocannonVersion,
    ...source,
    loadGeneratorCpus: affinity?.split(':').pop()?.trim() ?? 'unknown',
    serverCpus,
  };
}

/**
 * Holds this process, every thread of it (and so every child it starts), to `cpus`: autocannon
 * then never competes with the server for its core.
 */
export async function pinSelf(cpus: string): Promise<boolean> {
  const result = await execa(
    'taskset',
    ['--all-tasks', '--cpu-list', '--pid', cpus, String(process.pid)],
    {
      reject: false,
      stdin: 'ignore',
    },
  );
  return result.exitCode === 0;
}
