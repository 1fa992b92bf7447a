#!/usr/bin/env node
/**
 * What the root scripts run first, so that a fresh clone needs nothing installed globally:
 *
 *   node scripts/bootstrap.mjs turbo <turbo arguments…>   npm test, npm run bench (pnpm test, …)
 *   node scripts/bootstrap.mjs cli <command> <arguments…> npm run invoke (pnpm invoke, …)
 *
 * `turbo` checks the machine (Node, Go, the Docker engine) with one line for each thing missing
 * that says how to get it; `cli` checks Node only (invoke names a missing engine itself, and Go
 * builds their missing toolchain). Both then bring in the pnpm that package.json pins (npx, into
 * the user's npm cache: no root), install the workspace when the lockfile is newer than
 * node_modules, and hand over.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmSpec = manifest.packageManager; // pnpm@12.4.2
const pnpmVersion = pnpmSpec.split('@')[1];
// turbo's telemetry notice would be the first thing a new user reads; their own setting wins.
const env = { TURBO_TELEMETRY_DISABLED: '1', ...process.env };
const inCI = process.env.CI === 'true';
/** The way out invoke offers when no engine answers (packages/cli/src/invoke/invoke.ts says it too). */
const WITHOUT_DOCKER = 'or run the action without Docker, as a local process, by adding --process';

const say = (line) => process.stderr.write(`owkit: ${line}\n`);
function fail(line) {
  say(line);
  process.exit(1);
}

function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env, ...options });
  return { ok: !result.error && result.status === 0, out: (result.stdout ?? '').trim(), result };
}

function prependPath(dir) {
  env.PATH = `${dir}${delimiter}${env.PATH ?? ''}`;
}

function checkNode() {
  const need = manifest.engines.node.replace(/^>=/, ''); // 20.11
  const [needMajor, needMinor] = need.split('.').map(Number);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    fail(
      `Node ${process.versions.node} is too old: owkit needs Node ${need} or newer (https://nodejs.org/en/download)`,
    );
  }
}

/** Where the official tarball puts Go, which only root's profile usually has on PATH. */
function findGo({ quiet }) {
  if (!capture('go', ['version']).ok && existsSync('/usr/local/go/bin/go')) {
    prependPath('/usr/local/go/bin');
    if (!quiet) {
      say(
        'go is not on PATH: using /usr/local/go/bin/go (add it to PATH to make this line go away)',
      );
    }
  }
}

/** Go on PATH or found, 1.24 or newer: the check is the Go scripts' own. */
function checkGo() {
  findGo({ quiet: false });
  const check = capture(process.execPath, [
    join(root, 'packages/runtime-go/scripts/go.mjs'),
    'check',
  ]);
  if (!check.ok) fail(check.result.stderr.trim());
}

/** Why the Docker engine cannot be used, in one line; undefined when it answers. */
function dockerProblem() {
  const version = capture('docker', ['version', '--format', '{{.Server.Version}}'], {
    timeout: 10_000,
  });
  if (version.ok) return undefined;
  if (version.result.error?.code === 'ENOENT') {
    return 'the docker command is not installed: install Docker (Debian: apt-get install docker.io)';
  }
  const stderr = (version.result.stderr ?? '').trim();
  if (/permission denied/i.test(stderr)) {
    const user = process.env.USER ?? '';
    const members = capture('getent', ['group', 'docker']).out.split(':')[3] ?? '';
    return members.split(',').includes(user)
      ? 'permission denied on the Docker socket: you were added to the docker group after logging in; log out and back in (or run newgrp docker)'
      : 'permission denied on the Docker socket: add yourself to the docker group (sudo usermod -aG docker $USER), then log out and back in';
  }
  return `no Docker engine answers (${stderr.split('\n').at(-1) || 'docker version failed'}): start one (sudo dockerd, or bash .ci/run on a bare machine)`;
}

function checkDocker() {
  const problem = dockerProblem();
  // Part of each test result's cache key (turbo.json): a suite skipped for want of an engine is
  // not replayed as passing once there is one.
  env.OWKIT_DOCKER = problem === undefined ? 'answers' : 'missing';
  if (problem === undefined) return;
  if (inCI) fail(problem);
  say(`${problem}; carrying on without it: what needs Docker is skipped, with a reason each`);
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The pinned pnpm: the one already on PATH if it is that version, else npx brings it. */
function ensurePnpm() {
  // Run by that pnpm already (`pnpm test`): its user agent says so, no need to ask it.
  if ((env.npm_config_user_agent ?? '').startsWith(`pnpm/${pnpmVersion} `)) return;
  if (capture('pnpm', ['--version']).out === pnpmVersion) return;
  say(`using ${pnpmSpec} through npx (fetched once into your npm cache) …`);
  // npm exec puts the package's bin folder on PATH for the command it runs: read it from there.
  const probe = capture(
    'npx',
    [
      '--yes',
      `--package=${pnpmSpec}`,
      '--',
      'node',
      '-e',
      'process.stdout.write(process.env.PATH)',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const dir = probe.out
    .split(delimiter)
    .find(
      (candidate) =>
        isExecutable(join(candidate, 'pnpm')) &&
        capture(join(candidate, 'pnpm'), ['--version']).out === pnpmVersion,
    );
  if (!probe.ok || dir === undefined) {
    fail(
      `could not bring in ${pnpmSpec} with npx: check that the npm registry is reachable, or install it yourself (npm install --global ${pnpmSpec})`,
    );
  }
  prependPath(dir);
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** pnpm writes node_modules/.modules.yaml on every install: older than the lockfile means stale. */
function installIfNeeded() {
  const installed = mtime(join(root, 'node_modules', '.modules.yaml'));
  const wanted = Math.max(
    mtime(join(root, 'pnpm-lock.yaml')),
    mtime(join(root, 'pnpm-workspace.yaml')),
  );
  if (installed > wanted && existsSync(join(root, 'node_modules', '.bin', 'turbo'))) return;
  say('installing the workspace: pnpm install --frozen-lockfile …');
  const install = spawnSync('pnpm', ['install', '--frozen-lockfile'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (install.error || install.status !== 0) {
    fail(
      'pnpm install --frozen-lockfile failed (output above): if the lockfile is out of date, run pnpm install and commit pnpm-lock.yaml',
    );
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'turbo') {
  checkNode();
  checkGo();
  checkDocker();
} else if (mode === 'cli') {
  checkNode();
  findGo({ quiet: true });
  // invoke and dev ask the engine themselves too, but only after the CLI is built: on a fresh
  // clone that is many seconds before saying what is wrong.
  const [command, ...rest] = args;
  const startsContainers = command === 'invoke' || command === 'dev';
  if (startsContainers && !rest.includes('--process') && !rest.includes('--help')) {
    const problem = dockerProblem();
    if (problem !== undefined) {
      process.stderr.write(`${command}: ${problem}; ${WITHOUT_DOCKER}\n`);
      process.exit(1);
    }
  }
} else {
  fail('usage: node scripts/bootstrap.mjs turbo <turbo arguments…> | cli <command> <arguments…>');
}
ensurePnpm();
installIfNeeded();
const [command, commandArgs] =
  mode === 'turbo'
    ? [join(root, 'node_modules', '.bin', 'turbo'), args]
    : [process.execPath, [join(root, 'packages', 'cli', 'scripts', 'run.mjs'), ...args]];
// The CLI reads paths the user gave (@params.json, --out) from INIT_CWD, as npm and pnpm set it.
env.INIT_CWD ??= process.cwd();
const child = spawnSync(command, commandArgs, { cwd: root, env, stdio: 'inherit' });
if (child.error)
  fail(`cannot run ${command}: ${child.error.message}; run pnpm install --frozen-lockfile`);
process.exit(child.status ?? 1);
