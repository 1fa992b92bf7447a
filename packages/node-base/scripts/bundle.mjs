#!/usr/bin/env node
/**
 * owkit-bundle — a TypeScript action's `build` script: src/action.ts and everything it imports
 * (the runtime included) as the one minified file the image runs, dist/action.mjs. Its target is
 * Node 20, the oldest Node that runs it: the image's Node 24 and `pnpm invoke --process` on the
 * tooling's Node alike.
 */
import { build } from 'esbuild';

const outfile = 'dist/action.mjs';
const result = await build({
  entryPoints: ['src/action.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'error',
}).catch(() => process.exit(1)); // esbuild has already printed each error with its place
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(`${outfile}: ${bytes} bytes`);
