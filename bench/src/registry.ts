import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@owkit/host/ports';
import { execa } from 'execa';
import { BenchError } from './errors.js';
import { httpCall, waitForHttp } from './net.js';

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
].join(', ');

export interface LocalRegistry {
  /** `127.0.0.1:<port>`, the prefix of every image name pushed to it. */
  address: string;
  /** The compressed sizes the registry stores for `name:tag` (name without the address). */
  manifestSizes(name: string, tag: string): Promise<ManifestSizes>;
  stop(): Promise<void>;
}

export interface ManifestSizes {
  /** Each layer blob as stored and sent over the wire (gzip), in manifest order. */
  layers: { digest: string; compressedBytes: number }[];
  configBytes: number;
}

/**
 * Starts Debian's `docker-registry` on a free loopback port with a throw-away storage folder.
 * The engine pushes to and pulls from 127.0.0.0/8 over plain HTTP without extra configuration.
 */
export async function startRegistry(binary = 'docker-registry'): Promise<LocalRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'owkit-registry-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
    '',
  ].join('\n');
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, config);
  const child = execa(binary, ['serve', configPath], {
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false, stderr: true },
    stdout: 'ignore',
  });
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  try {
    await Promise.race([
      waitForHttp(`http://${address}/v2/`, 200, 15_000),
      child.then((result) => {
        throw new BenchError(`${binary} exited at start: ${String(result.stderr ?? '').trim()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    await child;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    address,
    async manifestSizes(name, tag) {
      const answer = await httpCall(`http://${address}/v2/${name}/manifests/${tag}`, {
        headers: { accept: MANIFEST_TYPES },
      });
      if (answer.status !== 200) {
        throw new BenchError(`registry has no manifest for ${name}:${tag} (${answer.status})`);
      }
      const manifest = JSON.parse(answer.body) as {
        config?: { size?: number };
        layers?: { digest: string; size: number }[];
      };
      if (manifest.layers === undefined) {
        throw new BenchError(`manifest of ${name}:${tag} lists no layers (a manifest list?)`);
      }
      return {
        layers: manifest.layers.map((layer) => ({
          digest: layer.digest,
          compressedBytes: layer.size,
        })),
        configBytes: manifest.config?.size ?? 0,
      };
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await child;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
