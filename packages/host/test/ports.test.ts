import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PortTimeoutError } from '../src/errors.js';
import { freePort, portInUse, waitForPort } from '../src/ports.js';

describe('freePort', () => {
  it('returns a port another server can listen on at once', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('waitForPort', () => {
  it('resolves once a server listens, even when it starts listening later', async () => {
    const port = await freePort();
    const server = createServer();
    const waiting = waitForPort(port, 5_000);
    setTimeout(() => server.listen(port, '127.0.0.1'), 100);
    await waiting;
    await new Promise((resolve) => server.close(resolve));
  });

  it('polls at the interval asked for, and gives up with the reason of an aborted signal', async () => {
    const port = await freePort();
    const server = createServer();
    const startedAt = performance.now();
    const waiting = waitForPort(port, 5_000, { intervalMs: 1 });
    setTimeout(() => server.listen(port, '127.0.0.1'), 50);
    await waiting;
    // A 25 ms poll could not notice a listener at 50 ms before 75 ms; 1 ms notices it by then.
    expect(performance.now() - startedAt).toBeLessThan(75);
    await new Promise((resolve) => server.close(resolve));

    const exited = new AbortController();
    setTimeout(() => exited.abort(new Error('the server exited with code 3')), 50);
    await expect(
      waitForPort(port, 5_000, { signal: exited.signal, intervalMs: 1 }),
    ).rejects.toThrow('the server exited with code 3');
  });

  it('rejects with a PortTimeoutError naming the port when nothing listens', async () => {
    const port = await freePort();
    const error = await waitForPort(port, 200).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PortTimeoutError);
    expect((error as PortTimeoutError).message).toBe(
      `127.0.0.1:${port} did not accept a connection within 200 ms`,
    );
    expect((error as PortTimeoutError).port).toBe(port);
  });
});

describe('portInUse', () => {
  it('tells a held port from a free one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await portInUse(port)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await portInUse(port)).toBe(false);
  });
});
