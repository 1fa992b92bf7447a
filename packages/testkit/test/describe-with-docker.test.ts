import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const gatedDir = fileURLToPath(new URL('./fixtures/gated/', import.meta.url));
// This package's own vitest, so the child run does not depend on PATH.
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

/** Runs the gated fixture suite in a child vitest whose Docker client points at nothing. */
function runGatedSuite(ci: 'true' | 'false') {
  return execa(
    process.execPath,
    [vitestBin, 'run', '--root', gatedDir, '--config', 'vitest.config.mjs'],
    {
      cwd: gatedDir,
      reject: false,
      stdin: 'ignore',
      env: { CI: ci, DOCKER_HOST: 'unix:///nonexistent/owkit-no-docker.sock', NO_COLOR: '1' },
    },
  );
}

describe('describeWithDocker without a Docker engine', () => {
  it('says why it does not run the suite and passes outside CI', async () => {
    const result = await runGatedSuite('false');
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toContain(
      'skipping gated suite: no Docker engine answers (start one: see .ci/run)',
    );
    expect(result.stdout).toMatch(/1 passed/);
  }, 60_000);

  it('fails the run with a clear error when CI=true', async () => {
    const result = await runGatedSuite('true');
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      'gated suite: CI=true but no Docker engine answers `docker info`',
    );
  }, 60_000);
});
