import { readFileSync } from 'node:fs';
import {
  countSentinels,
  describeWithDocker,
  imageBytes,
  imageExists,
  type RunningContainer,
  startContainer,
} from '@owkit/testkit';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';

interface Vector {
  name: string;
  request: string;
  status: number;
  response: string;
}

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('../testdata/vectors.json', import.meta.url), 'utf8'),
).vectors;

/** The go-native image's ceiling: the static binary on scratch, nothing else. */
const NATIVE_BUDGET_BYTES = 6_000_000;
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

async function post(container: RunningContainer, path: string, body: string): Promise<Answer> {
  const response = await fetch(`${container.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function startBuilt(image: string): Promise<RunningContainer> {
  if (!(await imageExists(image))) {
    throw new Error(`${image} is not built: run \`pnpm --filter @owkit/reverse-string-go image\``);
  }
  return startContainer(image);
}

/** A valid /run body of exactly `size` bytes whose payload is "ab". */
function paddedRun(size: number): string {
  const head = '{"value":{"payload":"ab","pad":"';
  const tail = '"}}';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

describeWithDocker('owkit/reverse-string:go-native', () => {
  const image = 'owkit/reverse-string:go-native';
  let container: RunningContainer;
  let runs = 0;
  const run = (body: string) => {
    runs++;
    return post(container, '/run', body);
  };

  beforeAll(async () => {
    container = await startBuilt(image);
  });
  afterAll(async () => {
    await container?.remove();
  });

  it('fits its size budget', async () => {
    expect(await imageBytes(image)).toBeLessThanOrEqual(NATIVE_BUDGET_BYTES);
  });

  it('runs as a non-root user', async () => {
    const top = await execa('docker', ['top', container.id, '-eo', 'pid,uid,comm']);
    expect(top.stdout).toMatch(/^\s*\d+\s+10001\s+action$/m);
  });

  it('initializes once and reverses the payload', async () => {
    const init = await post(container, '/init', '{"value":{"name":"reverse","main":"main"}}');
    expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
    const again = await post(container, '/init', '{"value":{}}');
    expect([again.status, again.body]).toEqual([
      403,
      '{"error":"Cannot initialize the action more than once."}',
    ]);
    const answer = await run('{"value":{"payload":"hello"}}');
    expect([answer.status, answer.body]).toEqual([200, '{"reversed":"olleh"}']);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('content-length')).toBe(String(answer.body.length));
  });

  it('answers every test vector byte for byte', async () => {
    for (const vector of vectors) {
      const answer = await run(vector.request);
      expect([vector.name, answer.status, answer.body]).toEqual([
        vector.name,
        vector.status,
        vector.response,
      ]);
    }
  });

  it('accepts a 64 MiB body and rejects one byte more', async () => {
    const body = paddedRun(BODY_LIMIT_BYTES);
    const accepted = await run(body);
    expect([accepted.status, accepted.body]).toEqual([200, '{"reversed":"ba"}']);
    const rejected = await run(`${body} `);
    expect([rejected.status, rejected.body]).toEqual([413, '{"error":"Request body too large."}']);
  });

  it('writes one sentinel pair per /run and stops cleanly on SIGTERM', async () => {
    const stopped = await container.stop();
    expect(stopped.exitCode).toBe(0);
    // Docker kills after 10 s; exiting well before that means SIGTERM was handled.
    expect(stopped.stopMs).toBeLessThan(5_000);
    const logs = await container.logs();
    expect(countSentinels(logs.stdout)).toBe(runs);
    expect(countSentinels(logs.stderr)).toBe(runs);
  });
});

for (const kind of ['blackbox', 'actionloop'] as const) {
  describeWithDocker(`owkit/reverse-string:go-${kind}`, () => {
    let container: RunningContainer;

    beforeAll(async () => {
      container = await startBuilt(`owkit/reverse-string:go-${kind}`);
    });
    afterAll(async () => {
      await container?.remove();
    });

    it('initializes and reverses the payload through the proxy', async () => {
      const init = await post(container, '/init', '{"value":{}}');
      expect([init.status, init.body]).toEqual([200, '{"ok":true}']);
      const answer = await post(container, '/run', '{"value":{"payload":"hello"}}');
      expect([answer.status, answer.body]).toEqual([200, '{"reversed":"olleh"}']);
    });

    it('answers every test vector byte for byte', async () => {
      for (const vector of vectors) {
        const answer = await post(container, '/run', vector.request);
        expect([vector.name, answer.status, answer.body]).toEqual([
          vector.name,
          vector.status,
          vector.response,
        ]);
      }
    });

    it('stops cleanly on SIGTERM', async () => {
      const stopped = await container.stop();
      expect(stopped.exitCode).toBe(0);
    });
  });
}
