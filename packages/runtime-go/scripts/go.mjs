#!/usr/bin/env node
/**
 * The Go side of the scripts every owkit package has, for any Go module folder (run from it):
 *   test — `go test ./...`, with the race detector whenever cgo can build it
 *   lint — fails when `gofmt -l .` lists files
 * Installed as the `owkit-go` bin for the Go actions.
 */
import { spawnSync } from 'node:child_process';
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

const goroot = capture('go', ['env', 'GOROOT']);
if (goroot === undefined) {
  process.stderr.write('go not found on PATH: install Go 1.24 or newer (https://go.dev/dl/).\n');
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
  default:
    process.stderr.write(`usage: owkit-go test|lint (got ${JSON.stringify(task)})\n`);
    process.exit(2);
}
