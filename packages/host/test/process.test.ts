import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StartError } from '../src/errors.js';
import { startProcess } from '../src/process.js';

const fixture = fileURLToPath(new URL('./fixtures/port-server.mjs', import.meta.url));

describe('startProcess', () => {
  it('starts a real server on PORT, exposes its output, and stops it with SIGTERM', async () => {
    const server = await startProcess(process.execPath, [fixture, 'from the fixture']);
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const response = await fetch(server.url);
      expect(await response.text()).toBe('from the fixture');
      expect(server.stdout()).toContain(`listening on ${server.port}`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.stderr()).toContain('got SIGTERM');
  });

  it('reports a null exit code when a signal the child does not handle ends it', async () => {
    const server = await startProcess(process.execPath, [fixture]);
    expect(await server.stop('SIGKILL')).toBeNull();
  });

  it('rejects with the child stderr when it exits before listening', async () => {
    const started = startProcess(process.execPath, [fixture], {
      env: { FAIL_BEFORE_LISTEN: '1' },
    });
    await expect(started).rejects.toThrow(StartError);
    await expect(started).rejects.toThrow(/exited \(code 3.*refusing to listen/s);
  });
});
