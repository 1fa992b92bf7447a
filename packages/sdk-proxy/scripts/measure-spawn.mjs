// What a blackbox activation costs the server, as plain processes: each server pinned to core 0
// (`taskset -c 0`, its children inherit it), autocannon on core 1, interleaved rounds, req/s and
// server CPU per request (the server's process tree, reaped children included) for every round.
//
//   node scripts/measure-spawn.mjs [--binary B] [--rounds 3] [--seconds 8] [--connections 32]
//                                  [--servers python,node,helper,direct] [--python SERVER.py]
//
// python  the Python subprocess floor (bench/floors/python/server.py: the dockerskeleton way)
// node    the proxy bundle spawning through Node (--spawn-helper off)
// helper  the proxy bundle spawning through owkit-spawn
// helper-group  the same with --tree-kill group (no /proc sweep)
// baseline  another build's bundle and owkit-spawn (--baseline DIR holding both), for before/after
// gopipe  the Go pipe floor (bench floor-go-pipe) serving the actionloop binary (--loop)
// actionloop  the proxy bundle in actionloop mode serving the same binary
// direct  owkit-spawn alone, fed spawn frames with as many in flight as connections: the
//         cheapest spawn of the binary reachable from the image (vfork, three pipes, wait4)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repo = resolve(packageDir, '../..');
const { values } = parseArgs({
  options: {
    binary: { type: 'string', default: join(repo, 'actions/reverse-string-go/bin/blackbox') },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    servers: { type: 'string', default: 'python,node,helper,direct' },
    python: { type: 'string', default: join(repo, 'bench/floors/python/server.py') },
    gopipe: { type: 'string', default: join(repo, 'bench/bin/floor-go-pipe') },
    baseline: { type: 'string' },
    loop: { type: 'string', default: join(repo, 'actions/reverse-string-go/bin/actionloop') },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const BODY = '{"value":{"payload":"hello world"}}';
const PARAMS = '{"payload":"hello world"}';
const bundle = join(packageDir, 'dist/owkit-proxy.mjs');
const helperPath = join(packageDir, 'dist/owkit-spawn');
const autocannon = join(
  dirname(createRequire(join(repo, 'bench/package.json')).resolve('autocannon/package.json')),
  'autocannon.js',
);
const TICK_US = 1e6 / 100;

/** utime + stime + cutime + cstime of a process and every live descendant, in µs. */
function treeCpuUs(root) {
  const parents = new Map();
  const cpu = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(
        Number(entry),
        fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0),
      );
    } catch {}
  }
  let total = 0;
  for (const [pid, ticks] of cpu) {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) {
      if (p === root) {
        total += ticks;
        break;
      }
    }
  }
  return total * TICK_US;
}

/** Resident memory of a process and every live descendant, in KiB. */
function treeRssKiB(root) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'latin1');
      let pid = Number(entry);
      while (pid > 1 && pid !== root) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      }
      if (pid === root) total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {}
  }
  return total;
}

function pinned(command, args, env) {
  return spawn('taskset', ['-c', '0', command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

async function waitReady(port) {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/run`, { method: 'POST', body: BODY });
      if (answer.status === 200) return await answer.text();
    } catch {}
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`nothing answers on ${port}`);
}

function load(port, seconds) {
  return new Promise((resolveLoad, reject) => {
    const args = ['-c', '1', process.execPath, autocannon, '-j', '-c', String(CONNECTIONS)];
    args.push('-d', String(seconds), '-m', 'POST', '-b', BODY, `http://127.0.0.1:${port}/run`);
    const run = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    run.stdout.on('data', (c) => {
      out += c;
    });
    run.once('close', () => {
      try {
        const result = JSON.parse(out);
        resolveLoad({
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
        });
      } catch (error) {
        reject(error);
      }
    });
  });
}

function freePort() {
  return new Promise((resolvePort) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function measureServer(name) {
  const port = await freePort();
  const env = { PORT: String(port) };
  // `baseline`: another build's bundle and helper (--baseline DIR), for before/after rounds.
  const baseline = values.baseline ?? '';
  const proxyArgs = {
    node: [bundle, '--exec', values.binary, '--spawn-helper', 'off'],
    helper: [bundle, '--exec', values.binary, '--spawn-helper', helperPath],
    'helper-group': [
      bundle,
      '--exec',
      values.binary,
      '--spawn-helper',
      helperPath,
      '--tree-kill',
      'group',
    ],
    baseline: [
      join(baseline, 'owkit-proxy.mjs'),
      '--exec',
      values.binary,
      '--spawn-helper',
      join(baseline, 'owkit-spawn'),
    ],
    actionloop: [bundle, '--mode', 'actionloop', '--exec', values.loop],
  }[name];
  const started = performance.now();
  const server =
    name === 'python'
      ? pinned('python3', [values.python, values.binary], env)
      : name === 'gopipe'
        ? pinned(values.gopipe, [values.loop], env)
        : pinned(process.execPath, proxyArgs, env);
  try {
    const first = await waitReady(port);
    const coldStartMs = performance.now() - started;
    if (!first.includes('dlrow olleh')) throw new Error(`${name} answered ${first}`);
    await load(port, 1);
    const before = treeCpuUs(server.pid);
    const { requests, non2xx, errors } = await load(port, SECONDS);
    const cpuUs = treeCpuUs(server.pid) - before;
    return {
      coldStartMs,
      rssMiB: treeRssKiB(server.pid) / 1024,
      rps: requests / SECONDS,
      cpuUsPerRequest: cpuUs / requests,
      bad: non2xx + errors,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('close', r));
  }
}

/** owkit-spawn fed spawn frames directly, CONNECTIONS in flight, for SECONDS. */
async function measureDirect() {
  const child = spawn('taskset', ['-c', '0', helperPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const frameFor = (id) => {
    const strings = [[values.binary, dirname(values.binary)], [values.binary, PARAMS], []];
    const parts = [];
    for (const list of strings) {
      const count = Buffer.alloc(4);
      count.writeUInt32LE(list.length);
      parts.push(count);
      for (const item of list) {
        const bytes = Buffer.from(item);
        const size = Buffer.alloc(4);
        size.writeUInt32LE(bytes.length);
        parts.push(size, bytes);
      }
    }
    parts.push(Buffer.from(PARAMS));
    const payload = Buffer.concat(parts);
    const header = Buffer.alloc(9);
    header.writeUInt32LE(5 + payload.length, 0);
    header[4] = 'S'.charCodeAt(0);
    header.writeUInt32LE(id, 5);
    return Buffer.concat([header, payload]);
  };
  let next = 0;
  let done = 0;
  let measuring = false;
  let running = true;
  let pending = Buffer.alloc(0);
  child.stdout.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 9 && pending.length >= 4 + pending.readUInt32LE(0)) {
      const kind = String.fromCharCode(pending[4]);
      pending = pending.subarray(4 + pending.readUInt32LE(0));
      if (kind !== 'C') continue;
      if (measuring) done += 1;
      if (running) child.stdin.write(frameFor(++next));
    }
  });
  for (let i = 0; i < CONNECTIONS; i++) child.stdin.write(frameFor(++next));
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const before = treeCpuUs(child.pid);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpuUs = treeCpuUs(child.pid) - before;
  const count = done;
  running = false;
  child.stdin.end();
  await new Promise((r) => child.once('close', r));
  return { rps: count / SECONDS, cpuUsPerRequest: cpuUs / count, bad: 0 };
}

const servers = values.servers.split(',');
const results = Object.fromEntries(servers.map((s) => [s, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? servers : [...servers].reverse();
  for (const name of order) {
    const result = name === 'direct' ? await measureDirect() : await measureServer(name);
    results[name].push(result);
    console.log(
      `round ${round + 1} ${name.padEnd(10)} ${result.rps.toFixed(0).padStart(6)} req/s ${result.cpuUsPerRequest.toFixed(0).padStart(6)} µs CPU/request${result.coldStartMs === undefined ? '' : ` cold ${result.coldStartMs.toFixed(0)} ms, RSS ${result.rssMiB.toFixed(1)} MiB`}${result.bad ? ` (${result.bad} bad)` : ''}`,
    );
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = servers.includes('python') ? 'python' : servers[0];
// The first server named is the base of the ratios unless the Python floor is among them.
for (const name of servers) {
  if (name === base) continue;
  const rps = results[name].map((r, i) => r.rps / results[base][i].rps);
  const cpu = results[name].map((r, i) => r.cpuUsPerRequest / results[base][i].cpuUsPerRequest);
  const show = (xs) => `${median(xs).toFixed(2)} (${xs.map((x) => x.toFixed(2)).join(', ')})`;
  const ratio = (key) => results[name].map((r, i) => r[key] / results[base][i][key]);
  let line = `${name} / ${base}: req/s ${show(rps)}; CPU/request ${show(cpu)}`;
  if (results[name][0].coldStartMs !== undefined && results[base][0].coldStartMs !== undefined) {
    line += `; cold start ${show(ratio('coldStartMs'))}; RSS ${show(ratio('rssMiB'))}`;
  }
  console.log(line);
}
if (servers.includes('direct') && servers.includes('helper')) {
  const cpu = results.helper.map((r, i) => r.cpuUsPerRequest / results.direct[i].cpuUsPerRequest);
  console.log(
    `helper / direct: CPU/request ${median(cpu).toFixed(2)} (${cpu.map((x) => x.toFixed(2)).join(', ')})`,
  );
}
