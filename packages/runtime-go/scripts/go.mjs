#!/usr/bin/env node
/**
 * The Go side of the scripts every owkit package has, for any Go module folder (run from it):
 *   test — `go test ./...`, with the race detector whenever cgo can build it
 *   lint — fails when `gofmt -l .` lists files, then runs `go vet ./...` and staticcheck (pinned
 *     below; `go run` fetches it once through the Go module proxy and keeps it in the Go cache)
 *   check — only the toolchain check every task starts with: Go on PATH, 1.24 or newer
 *   build <style>… — one binary per Go style (go-native, go-blackbox, go-actionloop) in
 *     bin/<native|blackbox|actionloop>, from ./cmd/<that name> when the module has one entry
 *     point per style, otherwise from the module's root package
 * Installed as the `owkit-go` bin for the Go actions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
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

const GO_STYLES = ['go-native', 'go-blackbox', 'go-actionloop'];
/** 2026.2.2, the first release line that knows Go 1.26. */
const STATICCHECK = 'honnef.co/go/tools/cmd/staticcheck@v0.8.2';

/**
 * Cross-compiles static linux/amd64 binaries, stripped and reproducible (no build id, no VCS
 * stamp, no local paths), ready for FROM scratch or the sdk-proxy images. `nethttpomithttp2`
 * leaves out net/http's HTTP/2 support (~0.4 MB), which the invoker never speaks.
 */
function build(styles) {
  const unknown = styles.filter((style) => !GO_STYLES.includes(style));
  if (styles.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `usage: owkit-go build <style>… with styles among ${GO_STYLES.join(', ')} (got ${JSON.stringify(styles)})\n`,
    );
    return 2;
  }
  mkdirSync('bin', { recursive: true });
  const env = { ...process.env, GOOS: 'linux', GOARCH: 'amd64', CGO_ENABLED: '0' };
  for (const style of styles) {
    const kind = style.slice('go-'.length);
    const binary = `bin/${kind}`;
    const source = existsSync(path.join('cmd', kind)) ? `./cmd/${kind}` : '.';
    const args = [
      'build',
      '-tags=nethttpomithttp2',
      '-trimpath',
      '-buildvcs=false',
      '-ldflags=-s -w -buildid=',
      '-o',
      binary,
      source,
    ];
    const result = spawnSync('go', args, { env, stdio: 'inherit' });
    if (result.error || result.status !== 0) {
      const cause = result.error ? `: ${result.error.message}` : '';
      process.stderr.write(`go ${args.join(' ')} failed${cause}\n`);
      return 1;
    }
    process.stdout.write(`${binary}: ${statSync(binary).size} bytes\n`);
  }
  return 0;
}

switch (task) {
  case 'build':
    process.exit(build(extraArgs));
    break;
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
    if (run('go', ['vet', './...']) !== 0) process.exit(1);
    if (run('go', ['run', STATICCHECK, './...']) !== 0) {
      process.stderr.write(
        `staticcheck (go run ${STATICCHECK}) failed: fix what it lists above, or, if it could not be fetched, check that the Go module proxy (go env GOPROXY) is reachable\n`,
      );
      process.exit(1);
    }
    break;
  }
  case 'check':
    break;
  default:
    process.stderr.write(
      `usage: owkit-go build <style>…|test|lint|check (got ${JSON.stringify(task)})\n`,
    );
    process.exit(2);
}
