import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/serve-from-env.mjs', import.meta.url));
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built runtime as an action's entry file does, until it exits. */
function run(args: string[], env: Record<string, string>): Promise<Exit> {
  const child = spawn(process.execPath, [fixture, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      cleanups.push(() => server.close());
      resolve({ server, port: (server.address() as { port: number }).port });
    }),
  );
}

describe('serve, starting as a process', () => {
  it('answers a bad PORT with one line naming it and exit code 2, not a stack trace', async () => {
    const exit = await run([], { PORT: 'eighty' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe(
      'serve-from-env.mjs: PORT: expected a whole number from 0 to 65535, got "eighty" (see --help)\n',
    );
    expect(exit.stdout).toBe('');
  });

  it('answers an unknown flag the same way', async () => {
    const exit = await run(['--colour', 'red'], { PORT: '0' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe('serve-from-env.mjs: unknown option --colour (see --help)\n');
  });

  it('answers a port it cannot have with one line naming host:port and the cause, exit code 1', async () => {
    const { port } = await occupiedPort();
    const exit = await run([], { PORT: String(port), HOST: '127.0.0.1' });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(
      new RegExp(
        `^serve-from-env\\.mjs: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`,
      ),
    );
  });

  it('prints its options for --help and exits 0', async () => {
    const exit = await run(['--help'], { PORT: 'eighty' });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('| `--port` | `PORT` | `8080` |');
    expect(exit.stderr).toBe('');
  });
});
