#!/usr/bin/env node
/**
 * The Go side of the scripts every owkit package has, for any Go module folder (run from it):
 *   test — `go test ./...`, with the race detector whenever cgo can build it
 *   lint — fails when `gofmt -l .` lists files
 *   check — only the toolchain check every task starts with: Go on PATH, 1.24 or newer
 * Installed as the `owkit-go` bin for the Go actions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const [task, ...extraArgs] = process.argv.slice(2);

function capture(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return undefined;
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`${command}: ${result.error.message}\n`);
    return 1;
  }
  return result.status ?? 1;
}

const GO_MIN = [1, 24];
const goroot = capture('go', ['env', 'GOROOT']);
if (goroot === undefined) {
  // The official tarball installs there, but only root's profile usually puts it on PATH.
  const hint = existsSync('/usr/local/go/bin/go')
    ? 'Go is in /usr/local/go/bin: add it to PATH (export PATH=$PATH:/usr/local/go/bin)'
    : `install Go ${GO_MIN.join('.')} or newer from https://go.dev/dl (Debian's golang-go is too old)`;
  process.stderr.write(`go not found on PATH: ${hint}\n`);
  process.exit(1);
}
const goVersion = capture('go', ['env', 'GOVERSION']) ?? '';
const [major, minor] = (/^go(\d+)\.(\d+)/.exec(goVersion) ?? []).slice(1).map(Number);
if (!(major > GO_MIN[0] || (major === GO_MIN[0] && minor >= GO_MIN[1]))) {
  process.stderr.write(
    `${goVersion || 'go'} is too old: owkit needs Go ${GO_MIN.join('.')} or newer (https://go.dev/dl)\n`,
  );
  process.exit(1);
}

/** -race needs cgo and a C compiler; a bare machine may have neither. */
function raceDetectorAvailable() {
  if (capture('go', ['env', 'CGO_ENABLED']) !== '1') return false;
  const compiler = capture('go', ['env', 'CC']);
  return compiler !== undefined && capture(compiler.split(' ')[0], ['--version']) !== undefined;
}

switch (task) {
  case 'test': {
    const race = raceDetectorAvailable();
    if (!race) process.stdout.write('go test without -race: cgo or a C compiler is missing.\n');
    process.exit(run('go', ['test', ...(race ? ['-race'] : []), ...extraArgs, './...']));
    break;
  }
  case 'lint': {
    const unformatted = capture(path.join(goroot, 'bin', 'gofmt'), ['-l', '.']);
    if (unformatted === undefined) {
      process.stderr.write('gofmt failed\n');
      process.exit(1);
    }
    if (unformatted !== '') {
      process.stderr.write(`not gofmt-formatted (run gofmt -w .):\n${unformatted}\n`);
      process.exit(1);
    }
    break;
  }
  case 'check':
    break;
  default:
    process.stderr.write(`usage: owkit-go test|lint|check (got ${JSON.stringify(task)})\n`);
    process.exit(2);
}
