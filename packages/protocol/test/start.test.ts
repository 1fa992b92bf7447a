import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/start.mjs', import.meta.url));
const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [fixture, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe('runServer', () => {
  it('says "(see --help)" once, when the parser already says it', async () => {
    const run = start([], { BAD: 'nope' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe('start-fixture: BAD: nope (see --help)\n');
  });

  it('lets an error that is not about options through, as a crash', async () => {
    const run = start([], { CRASH: '1' });
    expect(await run.exited).not.toBe(0);
    expect(run.stderr()).toContain('not an options problem');
  });

  it('prints the help and exits 0 before reading any option', async () => {
    const run = start(['--help'], { BAD: 'nope' });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toBe('usage: start-fixture\n');
  });

  it('serves, then exits 0 on SIGTERM once the server is closed', async () => {
    const run = start([], {});
    const port = await new Promise<number>((resolve) =>
      run.child.stdout?.on('data', () => {
        const line = run.stdout().split('\n')[0];
        if (run.stdout().includes('\n') && line) resolve(JSON.parse(line).port);
      }),
    );
    const answer = await fetch(`http://127.0.0.1:${port}/run`, { method: 'POST', body: '{}' });
    expect(await answer.text()).toBe('{}');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
