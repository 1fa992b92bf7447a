import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes a tiny `#!/bin/sh` fixture as an executable file. */
export async function shellExecutable(dir: string, script: string, name = 'exec'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}
