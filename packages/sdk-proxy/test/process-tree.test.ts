import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MESSAGES } from '@owkit/protocol';
import { request, runBody } from '@owkit/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, processLives, startProxy, tempDir } from './helpers.js';
import { shellExecutable } from './shell.js';

/** Pids a fixture wrote down, once every file is there. */
async function pidsFrom(files: string[]): Promise<number[]> {
  const ready = await eventually(async () => {
    const texts = await Promise.all(files.map((file) => readFile(file, 'utf8').catch(() => '')));
    return texts.every((text) => text.endsWith('\n'));
  });
  expect(ready).toBe(true);
  return Promise.all(files.map(async (file) => Number(await readFile(file, 'utf8'))));
}

/** Processes a test meant to survive (the `group` baseline) are killed after it. */
const survivors: number[] = [];
afterEach(() => {
  for (const pid of survivors.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

const allDead = (pids: number[]) =>
  eventually(async () => (await Promise.all(pids.map(processLives))).every((lives) => !lives));

/**
 * Starts two escapees that leave the child's process group: one with `setsid`, one orphaned by a
 * double fork into a session of its own; each writes its pid to a file named in the environment.
 * The first keeps the child's stdout open, the second lets go of every pipe.
 */
const ESCAPE = `
setsid sh -c 'echo $$ > "$ESCAPEE_ONE"; exec sleep 300' &
( setsid sh -c 'echo $$ > "$ESCAPEE_TWO"; exec sleep 300' </dev/null >/dev/null 2>&1 & ) &
while [ ! -s "$ESCAPEE_ONE" ] || [ ! -s "$ESCAPEE_TWO" ]; do sleep 0.01; done
`;

async function escapeeFiles() {
  const dir = await tempDir();
  const files = [join(dir, 'one.pid'), join(dir, 'two.pid')];
  return { dir, files, env: { ESCAPEE_ONE: files[0], ESCAPEE_TWO: files[1] } };
}

describe('blackbox: nothing a child starts outlives its activation', () => {
  it('kills a setsid grandchild and a double-forked one once the child has answered', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(dir, `${ESCAPE}echo '{"ok":true}'`);
    const proxy = await startProxy({ exec, env: { ...process.env, ...env } });
    const response = await request(proxy.url, '/run', runBody({}));
    expect(response.json).toEqual({ ok: true });
    expect(await allDead(await pidsFrom(files))).toBe(true);
  });

  it('kills them at the deadline while the child still runs', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(dir, `${ESCAPE}sleep 300`);
    const proxy = await startProxy({ exec, env: { ...process.env, ...env } });
    const response = await request(proxy.url, '/run', runBody({}, { deadlineMs: 1500 }));
    expect(response.json).toEqual({ error: MESSAGES.deadlineExceeded });
    expect(await allDead(await pidsFrom(files))).toBe(true);
  });

  it('with --tree-kill group, the escapees live on (what the sweep is for)', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(dir, `${ESCAPE}echo '{"ok":true}'`);
    const proxy = await startProxy({ exec, treeKill: 'group', env: { ...process.env, ...env } });
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: true });
    const pids = await pidsFrom(files);
    survivors.push(...pids);
    expect(await Promise.all(pids.map(processLives))).toEqual([true, true]);
  });

  it("makes every child the OOM killer's first choice", async () => {
    const dir = await tempDir();
    const exec = await shellExecutable(
      dir,
      `sleep 0.1; read -r adj < /proc/$$/oom_score_adj; echo "{\\"adj\\":$adj}"`,
    );
    const proxy = await startProxy({ exec });
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ adj: 1000 });
  });
});

/** Whether a pid is gone from /proc altogether: not alive, and not a zombie left unreaped. */
const gone = (pid: number) =>
  eventually(async () => {
    try {
      await readFile(`/proc/${pid}/stat`);
      return false;
    } catch {
      return true;
    }
  });

describe('blackbox through owkit-spawn: its children leave nothing behind', () => {
  /**
   * An escapee orphaned by a double fork into a session of its own, holding none of the child's
   * pipes: the proxy never waits on it, so only owkit-spawn's sweep (its subreaper's leftovers)
   * stands between it and a life past the activation.
   */
  const DETACHED = `
( setsid sh -c 'echo $$ > "$ESCAPEE_ONE"; exec sleep 300' </dev/null >/dev/null 2>&1 & ) &
while [ ! -s "$ESCAPEE_ONE" ]; do sleep 0.01; done
`;

  it('kills an escapee that let go of every pipe, and reaps it', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(dir, `${DETACHED}echo '{"ok":true}'`);
    const proxy = await startProxy({ exec, env: { ...process.env, ...env } });
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: true });
    const [pid] = await pidsFrom(files.slice(0, 1));
    // Gone from /proc, not a zombie: the helper, its subreaper, reaped it.
    expect(await gone(pid as number)).toBe(true);
  });

  it('kills what an escapee started under a cleared environment (env -i): it is below one', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(
      dir,
      `( setsid sh -c 'env -i sh -c "echo \\$\\$ > $ESCAPEE_ONE; exec sleep 300" & wait' </dev/null >/dev/null 2>&1 & ) &
while [ ! -s "$ESCAPEE_ONE" ]; do sleep 0.01; done
echo '{"ok":true}'`,
    );
    const proxy = await startProxy({ exec, env: { ...process.env, ...env } });
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: true });
    expect(await allDead(await pidsFrom(files.slice(0, 1)))).toBe(true);
  });

  it("leaves a running activation's escapee to it while another activation ends", async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(
      dir,
      `case "$1" in
  *keep*)
    ${DETACHED}
    while [ ! -e "$ESCAPEE_TWO" ]; do sleep 0.01; done
    if kill -0 "$(cat "$ESCAPEE_ONE")"; then echo '{"alive":true}'; else echo '{"alive":false}'; fi ;;
  *) echo '{"ok":true}' ;;
esac`,
    );
    const proxy = await startProxy({ exec, env: { ...process.env, ...env } });
    const keeping = request(proxy.url, '/run', runBody({ keep: true }));
    const [pid] = await pidsFrom(files.slice(0, 1));
    // Another activation ends (and sweeps) while the first one's escapee runs.
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ ok: true });
    await writeFile(files[1] as string, 'go\n');
    expect((await keeping).json).toEqual({ alive: true });
    expect(await allDead([pid as number])).toBe(true);
  });
});

describe('actionloop: a restarted child takes its whole tree with it', () => {
  /** Answers every line, except `hang`, which starts the escapees and never answers. */
  const LOOP = `
escape() {
${ESCAPE}
}
[ -n "$__OW_WAIT_FOR_ACK" ] && echo '{"ok":true}' >&3
while read -r line; do
  case "$line" in
    *hang*) escape; sleep 300 ;;
    *) echo "{\\"pid\\":$$}" >&3 ;;
  esac
done`;

  it('kills the escapees at the deadline, then serves with a fresh child', async () => {
    const { dir, files, env } = await escapeeFiles();
    const exec = await shellExecutable(dir, LOOP);
    const proxy = await startProxy({ exec, mode: 'actionloop', env: { ...process.env, ...env } });
    const first = await request(proxy.url, '/run', runBody({}));
    const hung = await request(proxy.url, '/run', runBody({ cmd: 'hang' }, { deadlineMs: 1500 }));
    expect(hung.json).toEqual({ error: MESSAGES.deadlineExceeded });
    expect(await allDead(await pidsFrom(files))).toBe(true);
    const next = await request(proxy.url, '/run', runBody({}));
    expect(next.status).toBe(200);
    expect((next.json as { pid: number }).pid).not.toBe((first.json as { pid: number }).pid);
  });

  it("makes the child the OOM killer's first choice", async () => {
    const dir = await tempDir();
    const exec = await shellExecutable(
      dir,
      `while read -r line; do read -r adj < /proc/$$/oom_score_adj; echo "{\\"adj\\":$adj}" >&3; done`,
    );
    const proxy = await startProxy({ exec, mode: 'actionloop' });
    expect((await request(proxy.url, '/run', runBody({}))).json).toEqual({ adj: 1000 });
  });
});
