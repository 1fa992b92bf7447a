// Builds owkit-spawn (cmd/owkit-spawn), the blackbox proxy's spawn helper, into dist/: a static
// Go binary (standard library only, CGO_ENABLED=0) that the bundle finds beside itself.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

export async function buildSpawnHelper() {
  const output = 'dist/owkit-spawn';
  const build = await execa(
    'go',
    ['build', '-trimpath', '-ldflags=-s -w', '-o', output, './cmd/owkit-spawn'],
    {
      cwd: packageDir,
      // The module is not in the root go.work: it is built on its own.
      env: { CGO_ENABLED: '0', GOWORK: 'off' },
      reject: false,
      stdin: 'ignore',
      all: true,
    },
  );
  if (build.failed) {
    const cause = build.code === 'ENOENT' ? 'go is not installed (Go 1.24 or newer)' : build.all;
    throw new Error(`spawn helper: go build failed: ${cause}`);
  }
  return output;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`spawn helper: ${await buildSpawnHelper()}`);
}
