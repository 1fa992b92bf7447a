// Bundles the action and its runtime into the one file the image runs.
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['src/action.ts'],
  outfile: 'dist/action.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(`dist/action.mjs: ${bytes} bytes`);
