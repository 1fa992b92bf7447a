import { createApp } from '@owkit/runtime';
import { captureLogs, invoke, runBody } from '@owkit/runtime/testing';
import { describe, expect, it } from 'vitest';
import { GREETING, greet } from '../src/greet.js';

/** The handler through the runtime, in process: what a `/run` with these params answers. */
async function run(params: object) {
  const app = createApp(greet, { logs: captureLogs() });
  return invoke(app, '/run', runBody(params));
}

describe('greet', () => {
  it('greets the name it is given', async () => {
    const answer = await run({ name: 'Ada' });
    expect([answer.status, answer.json]).toEqual([200, { greeting: `${GREETING}, Ada` }]);
  });

  it('greets the world without a name', async () => {
    expect((await run({})).json).toEqual({ greeting: `${GREETING}, world` });
  });
});
