import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { engineAnswers } from '@owkit/host/docker';
import { execa } from 'execa';
import type { Engine } from './docker.js';
import { BenchError } from './errors.js';

/** Where Debian installs dockerd; a normal user's PATH does not have /usr/sbin. */
const DOCKERD_CANDIDATES = ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'];

/**
 * Why a throw-away engine cannot be started here, or null when it can be tried: it needs root
 * (dockerd mounts file systems and sets up cgroups) and the dockerd binary.
 */
export async function throwAwayEngineUnavailable(): Promise<string | null> {
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) {
    return `a second Docker engine with an empty image store is needed, and starting dockerd needs root (this is uid ${uid}); run the bench as root to measure them`;
  }
  if ((await dockerdPath()) === null) {
    return `no dockerd binary (looked on PATH and in ${DOCKERD_CANDIDATES.join(', ')}); install docker.io to measure them`;
  }
  return null;
}

async function dockerdPath(): Promise<string | null> {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((dir) => join(dir, 'dockerd'));
  for (const candidate of [...onPath, ...DOCKERD_CANDIDATES]) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

export interface ThrowAwayEngine {
  /** Its address, for @owkit/host/docker's functions (`{host}`). */
  engine: Engine;
  stop(): Promise<void>;
}

/**
 * A second Docker engine with its own image store, for pulls that must start from nothing: the
 * main engine's store holds every base layer, and pruning it would destroy the images the
 * other measurements need. Same network rules as the main engine (no bridge, no iptables).
 */
export async function startThrowAwayEngine(
  dockerdBinary?: string,
  startTimeoutMs = 30_000,
): Promise<ThrowAwayEngine> {
  // Short path: the socket path must fit in sun_path (108 bytes), and containerd nests deeper.
  const dir = await mkdtemp('/tmp/owk-');
  const socket = `unix://${join(dir, 'd.sock')}`;
  const dockerd = dockerdBinary ?? (await dockerdPath());
  if (dockerd === null)
    throw new BenchError('the throw-away engine did not start: no dockerd binary found');
  const child = execa(
    dockerd,
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
  let exit = '';
  void child.then((result) => {
    exited = true;
    // A spawn error (ENOENT, EACCES) or the exit code and signal: whatever stopped it.
    exit = result.failed
      ? (result.shortMessage ?? `exit code ${result.exitCode}`)
      : `exit code ${result.exitCode}`;
  });
  const engine: Engine = { host: socket };
  const deadline = performance.now() + startTimeoutMs;
  while (!(await engineAnswers({ ...engine, timeoutMs: 2_000 }))) {
    if (exited || performance.now() > deadline) {
      const timedOut = !exited;
      child.kill('SIGKILL');
      await child;
      const log = (await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '')).trim();
      await unmountUnder(dir);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const why = timedOut
        ? `it did not answer within ${startTimeoutMs / 1000} s`
        : `dockerd stopped (${exit})`;
      const lastLines =
        log === ''
          ? 'dockerd wrote nothing'
          : `its log ends: ${log.split('\n').slice(-5).join(' | ')}`;
      throw new BenchError(`the throw-away engine did not start: ${why}; ${lastLines}`);
    }
    await delay(100);
  }

  return {
    engine,
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
