#!/usr/bin/env node
/**
 * owkit-image <tag> <file>… [--dockerfile <path>] — an action's `image` script, the same for
 * every style: stages the files its Dockerfile copies (a Go binary, a bundle, tini) and the
 * Dockerfile in a temporary folder, so the build context holds nothing else, then builds `tag`.
 *
 * The base is the Dockerfile's `ARG BASE_IMAGE=` default, or BASE_IMAGE from the environment.
 * An owkit base that is not built yet is an error naming the command that builds it. Without a
 * Docker engine it says so and exits 0, unless CI=true, where that fails.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage, dockerAvailable, imageBytes, imageExists } from '@owkit/host/docker';

const USAGE = 'usage: owkit-image <tag> <file>… [--dockerfile <path>]';

function fail(message, code = 1) {
  console.error(`owkit-image: ${message}`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { dockerfile: { type: 'string', default: 'Dockerfile' } },
  });
} catch (error) {
  fail(`${error.message}\n${USAGE}`, 2);
}
const [tag, ...files] = parsed.positionals;
const { dockerfile } = parsed.values;
if (tag === undefined || files.length === 0) fail(USAGE, 2);
if (!existsSync(dockerfile)) fail(`${dockerfile} does not exist: name the action's Dockerfile`);
for (const file of files) {
  if (!existsSync(file)) {
    fail(`${file} does not exist, so ${tag} was not built: run the build script first`);
  }
}

const declared = /^ARG BASE_IMAGE=(\S+)/m.exec(readFileSync(dockerfile, 'utf8'))?.[1];
const base = process.env.BASE_IMAGE ?? declared;

if (!(await dockerAvailable())) {
  const reason = `no Docker engine answers, so ${tag} was not built (start one, or check that you are in the docker group)`;
  if (process.env.CI === 'true') fail(reason);
  console.log(`skipping: ${reason}`);
  process.exit(0);
}
if (base?.startsWith('owkit/') && !(await imageExists(base))) {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')).name;
  fail(
    `${tag} is built on ${base}, which is not on this machine: pnpm turbo run image --filter=${pkg} builds it first`,
  );
}

const context = mkdtempSync(path.join(tmpdir(), 'owkit-image-'));
let failure;
try {
  for (const file of files) copyFileSync(file, path.join(context, path.basename(file)));
  copyFileSync(dockerfile, path.join(context, 'Dockerfile'));
  console.log(`building ${tag}${base === undefined ? '' : ` on ${base}`}`);
  await buildImage(context, tag, base === undefined ? {} : { buildArgs: { BASE_IMAGE: base } });
} catch (error) {
  failure = error;
} finally {
  rmSync(context, { recursive: true, force: true });
}
if (failure !== undefined) fail(`docker build of ${tag} failed: ${failure.message}`);
console.log(`built ${tag}: ${await imageBytes(tag)} bytes`);
