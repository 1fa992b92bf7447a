import { invokerLimitArgs } from '@owkit/host/invoker-limits';
import { execa } from 'execa';
import { BenchError } from './errors.js';

export const BENCH_LABEL = 'owkit.bench=1';

/** The `docker` CLI against one engine: the default one, or a throw-away one by its socket. */
export class DockerCli {
  constructor(readonly host?: string) {}

  private hostArgs(): string[] {
    return this.host === undefined ? [] : ['-H', this.host];
  }

  async run(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const result = await execa('docker', [...this.hostArgs(), ...args], {
      reject: false,
      stdin: 'ignore',
      env: { DOCKER_BUILDKIT: '0' },
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    if (result.exitCode !== 0) {
      const detail = (result.stderr || result.stdout || `exit ${result.exitCode}`).trim();
      throw new BenchError(`docker ${args.slice(0, 2).join(' ')} failed: ${detail}`);
    }
    return result.stdout.trim();
  }

  async answers(timeoutMs = 5_000): Promise<boolean> {
    try {
      return (await this.run(['info', '--format', '{{.ServerVersion}}'], { timeoutMs })) !== '';
    } catch {
      return false;
    }
  }

  async serverVersion(): Promise<string> {
    return this.run(['version', '--format', '{{.Server.Version}}']);
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.run(['image', 'inspect', '--format', '{{.Id}}', image]);
      return true;
    } catch {
      return false;
    }
  }

  async inspectImage(image: string): Promise<ImageFacts> {
    const raw = await this.run(['image', 'inspect', '--format', '{{json .}}', image]);
    const facts = JSON.parse(raw) as { Id: string; Size: number; RootFS?: { Layers?: string[] } };
    return { id: facts.Id, sizeBytes: facts.Size, layerDiffIds: facts.RootFS?.Layers ?? [] };
  }

  /**
   * `docker run -d` on the host network under the invoker's limits; resolves with the container
   * id once the CLI returns.
   */
  async runDetached(image: string, options: RunOptions): Promise<string> {
    const args = ['run', '--detach', '--network', 'host', '--label', BENCH_LABEL];
    args.push(...invokerLimitArgs());
    args.push('--env', `PORT=${options.port}`);
    for (const [name, value] of Object.entries(options.env ?? {})) {
      args.push('--env', `${name}=${value}`);
    }
    if (options.cpuset !== undefined) args.push('--cpuset-cpus', options.cpuset);
    args.push(image);
    return this.run(args);
  }

  async mainPid(containerId: string): Promise<number> {
    return Number(await this.run(['inspect', '--format', '{{.State.Pid}}', containerId]));
  }

  async remove(containerId: string): Promise<void> {
    await this.run(['rm', '--force', '--volumes', containerId]);
  }

  async tag(source: string, target: string): Promise<void> {
    await this.run(['tag', source, target]);
  }

  async push(image: string): Promise<void> {
    await this.run(['push', image], { timeoutMs: 600_000 });
  }

  async pull(image: string): Promise<void> {
    await this.run(['pull', '--quiet', image], { timeoutMs: 600_000 });
  }

  async removeImage(image: string): Promise<void> {
    await this.run(['rmi', '--force', image]);
  }

  /** Every image and every layer gone, so the next pull shares nothing with what came before. */
  async removeAllImages(): Promise<void> {
    const ids = (await this.run(['image', 'ls', '--all', '--quiet'])).split('\n').filter(Boolean);
    if (ids.length > 0) await this.run(['rmi', '--force', ...new Set(ids)]);
    await this.run(['image', 'prune', '--all', '--force']);
    const left = await this.run(['image', 'ls', '--all', '--quiet']);
    if (left !== '') throw new BenchError(`images left after pruning: ${left.replace(/\n/g, ' ')}`);
  }

  async build(contextDir: string, tag: string, buildArgs: Record<string, string> = {}) {
    const args = ['build', '--quiet', '--tag', tag];
    for (const [name, value] of Object.entries(buildArgs))
      args.push('--build-arg', `${name}=${value}`);
    args.push(contextDir);
    await this.run(args, { timeoutMs: 600_000 });
  }
}

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  /** Uncompressed layer digests, base layers first. */
  layerDiffIds: string[];
}

export interface RunOptions {
  port: number;
  env?: Record<string, string>;
  cpuset?: string;
}

/** Every container the bench started on the main engine and did not get to remove. */
export async function removeBenchContainers(docker = new DockerCli()): Promise<void> {
  const ids = (await docker.run(['ps', '--all', '--quiet', '--filter', `label=${BENCH_LABEL}`]))
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) await docker.run(['rm', '--force', ...ids]);
}
