import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { DockerCli } from './docker.js';
import { BenchError } from './errors.js';

export interface ThrowAwayEngine {
  docker: DockerCli;
  stop(): Promise<void>;
}

/**
 * A second Docker engine with its own image store, for pulls that must start from nothing: the
 * main engine's store holds every base layer, and pruning it would destroy the images the
 * other measurements need. Same network rules as the main engine (no bridge, no iptables).
 */
export async function startThrowAwayEngine(): Promise<ThrowAwayEngine> {
  // Short path: the socket path must fit in sun_path (108 bytes), and containerd nests deeper.
  const dir = await mkdtemp('/tmp/owk-');
  const socket = `unix://${join(dir, 'd.sock')}`;
  const child = execa(
    'dockerd',
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'x'),
      '--pidfile',
      join(dir, 'd.pid'),
      '--host',
      socket,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
    ],
    {
      reject: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: { file: join(dir, 'dockerd.log') },
    },
  );
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  const docker = new DockerCli(socket);
  const deadline = performance.now() + 30_000;
  while (!(await docker.answers(2_000))) {
    if (exited || performance.now() > deadline) {
      const log = await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '');
      child.kill('SIGKILL');
      await child;
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      throw new BenchError(`the throw-away engine did not start: ${log.slice(-600)}`);
    }
    await delay(100);
  }

  return {
    docker,
    async stop() {
      if (!exited) {
        // Graceful: dockerd stops its containers and its own containerd, and unmounts layers.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await child;
        clearTimeout(timer);
      }
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** dockerd leaves its network-namespace mount behind on exit; nothing under `dir` may stay. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) {
    const result = await execa('umount', [point], { reject: false, stdin: 'ignore' });
    if (result.exitCode !== 0) {
      await execa('umount', ['--lazy', point], { reject: false, stdin: 'ignore' });
    }
  }
}
