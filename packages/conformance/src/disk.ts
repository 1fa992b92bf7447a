import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** The host folder holding everything a container wrote outside its tmpfs mounts (overlay2). */
export async function writableLayer(containerId: string): Promise<string> {
  const result = await execa('docker', [
    'inspect',
    '--format',
    '{{.GraphDriver.Data.UpperDir}}',
    containerId,
  ]);
  return result.stdout.trim();
}

/** Bytes on disk (allocated blocks) under `root`, and every path there, relative to it. */
export function diskUsage(root: string): { bytes: number; paths: string[] } {
  let bytes = 0;
  const paths: string[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      bytes += stat.blocks * 512;
      paths.push(`${prefix}${name}`);
      if (stat.isDirectory()) walk(path, `${prefix}${name}/`);
    }
  };
  walk(root, '');
  return { bytes, paths };
}
