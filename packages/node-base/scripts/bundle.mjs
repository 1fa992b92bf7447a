#!/usr/bin/env node
/**
 * owkit-bundle — a TypeScript action's `build` script: src/action.ts and everything it imports
 * (the runtime included) as the one minified file the image runs, dist/action.mjs. Its target is
 * Node 20, the oldest Node that runs it: the image's Node 24 and `pnpm invoke --process` on the
 * tooling's Node alike.
 *
 * Node's built-ins are reached through `require`, not `import`. An `import … from 'node:http'`
 * makes Node build the ES module face of node:http, which reads every export, lazy ones included:
 * http's WebSocket and fetch getters load all of undici, http2 and tls. In the image that doubled
 * the CPU Node spent before `listen` (see the README's "Start-up" section).
 */
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const outfile = 'dist/action.mjs';
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Each import of a built-in becomes a module that `require`s it, so its exports stay lazy. */
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(esbuild) {
    esbuild.onResolve({ filter: /.*/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      return { path: args.path, namespace: 'builtin' };
    });
    esbuild.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: ['src/action.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // The `require` that esbuild's generated code calls; node:module's own exports are cheap.
  banner: {
    js: 'import{createRequire as __owkitCreateRequire}from"node:module";const require=__owkitCreateRequire(import.meta.url);',
  },
  plugins: [builtinsThroughRequire],
  metafile: true,
  logLevel: 'error',
}).catch(() => process.exit(1)); // esbuild has already printed each error with its place
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
console.log(`${outfile}: ${bytes} bytes`);
