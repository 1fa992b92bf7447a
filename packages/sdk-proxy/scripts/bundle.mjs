// Bundles the CLI and every dependency into one file, the only thing the image needs.
import { chmod, stat } from 'node:fs/promises';
import { build } from 'esbuild';
import { buildSpawnHelper } from './spawn-helper.mjs';

const outfile = new URL('../dist/owkit-proxy.mjs', import.meta.url).pathname;

await build({
  entryPoints: [new URL('../src/bin.ts', import.meta.url).pathname],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  // yauzl is CommonJS and requires Node built-ins; an ES module has no `require` of its own.
  banner: {
    js: "import{createRequire as __owkitCreateRequire}from'node:module';const require=__owkitCreateRequire(import.meta.url);",
  },
});
await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`bundle: dist/owkit-proxy.mjs ${(size / 1024).toFixed(1)} KiB`);
console.log(`spawn helper: ${await buildSpawnHelper()}`);
