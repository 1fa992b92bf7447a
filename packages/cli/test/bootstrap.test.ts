import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './fixtures.js';

/** The root scripts' first step (`npm test`, `npm run invoke`), as a user's shell runs it. */
function bootstrap(args: string[], env: Record<string, string>) {
  return execa(process.execPath, [join(REPO_ROOT, 'scripts', 'bootstrap.mjs'), ...args], {
    cwd: REPO_ROOT,
    reject: false,
    stdin: 'ignore',
    env,
  });
}

const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

describe('scripts/bootstrap.mjs', () => {
  it('stops npm test in CI at a missing engine, in one line, before installing anything', async () => {
    const result = await bootstrap(['turbo', 'run', 'lint'], { ...NO_ENGINE, CI: 'true' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').filter((line) => !line.includes('/usr/local/go/bin'))).toEqual(
      [expect.stringMatching(/^owkit: no Docker engine answers \(.*\): start one \(.*\)$/)],
    );
    expect(result.stdout).toBe('');
  });

  it('answers pnpm invoke without an engine at once, before building the CLI', async () => {
    const startedAt = performance.now();
    const result = await bootstrap(['cli', 'invoke', 'reverse-string'], NO_ENGINE);
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^invoke: no Docker engine answers \(.*\); or run the action without Docker, as a local process, by adding --process$/,
    );
  });

  it('refuses an unknown mode with its usage', async () => {
    const result = await bootstrap(['make'], {});
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^owkit: usage: node scripts\/bootstrap\.mjs turbo .* \| cli /);
  });
});
