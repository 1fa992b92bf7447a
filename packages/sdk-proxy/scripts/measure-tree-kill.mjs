// What killing a child's whole tree costs per activation, measured in owkit/sdk-proxy:blackbox
// under the invoker's limits: container CPU (cgroup v1 cpuacct) per activation and req/s at one
// connection, each variant in the same interleaved rounds, reported as ratios.
//
//   node scripts/measure-tree-kill.mjs <action binary> [requests per round] [rounds]
//
// Variants: the process group alone (`--tree-kill group`), the group plus the /proc sweep (the
// default), and — to price a per-activation subreaper instead — the action started through
// `tini -s` (a static C subreaper; a real one would still have to kill what it collects) against
// the same `sh` hop without it.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invokerLimitArgs } from '@owkit/host/invoker-limits';

const [binary, requestsArg = '1500', roundsArg = '3'] = process.argv.slice(2);
if (binary === undefined) {
  console.error('usage: measure-tree-kill.mjs <action binary> [requests per round] [rounds]');
  process.exit(2);
}
const REQUESTS = Number(requestsArg);
const ROUNDS = Number(roundsArg);
const WARMUP = 100;
const LIMITS = invokerLimitArgs();

const dir = mkdtempSync(join(tmpdir(), 'owkit-tree-kill-'));
chmodSync(dir, 0o755);
copyFileSync(binary, join(dir, 'action'));
writeFileSync(join(dir, 'via-sh'), '#!/bin/sh\nexec /opt/m/action "$@"\n');
writeFileSync(join(dir, 'via-tini'), '#!/bin/sh\nexec /sbin/tini -s -- /opt/m/action "$@"\n');
for (const name of ['action', 'via-sh', 'via-tini']) chmodSync(join(dir, name), 0o755);

const VARIANTS = [
  { name: 'group', exec: 'action', treeKill: 'group' },
  { name: 'sweep', exec: 'action', treeKill: 'sweep' },
  { name: 'sh, group', exec: 'via-sh', treeKill: 'group' },
  { name: 'sh + tini -s, group', exec: 'via-tini', treeKill: 'group' },
];

const body = JSON.stringify({
  value: { payload: 'hello, world' },
  activation_id: 'a',
  deadline: String(Date.now() + 3_600_000),
});

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function post(agent, port) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/run', method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForPort(agent, port) {
  for (let i = 0; i < 200; i++) {
    try {
      await post(agent, port);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('the container never answered');
}

async function measure(variant) {
  const port = await freePort();
  const id = execFileSync('docker', [
    'run',
    '--detach',
    '--network',
    'host',
    ...LIMITS,
    '--env',
    `PORT=${port}`,
    '--env',
    `OWKIT_TREE_KILL=${variant.treeKill}`,
    '--env',
    `OWKIT_EXEC=/opt/m/${variant.exec}`,
    '--volume',
    `${dir}:/opt/m:ro`,
    'owkit/sdk-proxy:blackbox',
  ])
    .toString()
    .trim();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await waitForPort(agent, port);
    for (let i = 0; i < WARMUP; i++) await post(agent, port);
    const usage = `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`;
    const cpuBefore = Number(readFileSync(usage, 'utf8'));
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i++) await post(agent, port);
    const seconds = (performance.now() - started) / 1000;
    const cpuNs = Number(readFileSync(usage, 'utf8')) - cpuBefore;
    return { cpuUsPerActivation: cpuNs / 1000 / REQUESTS, requestsPerSecond: REQUESTS / seconds };
  } finally {
    agent.destroy();
    execFileSync('docker', ['rm', '--force', id], { stdio: 'ignore' });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of VARIANTS) {
      const result = await measure(variant);
      results[variant.name].push(result);
      console.log(
        `round ${round + 1} ${variant.name.padEnd(20)} ${result.cpuUsPerActivation.toFixed(0)} µs CPU/activation, ${result.requestsPerSecond.toFixed(0)} req/s`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ratio = (a, b, key) => {
  const perRound = results[a].map((r, i) => r[key] / results[b][i][key]);
  return `${median(perRound).toFixed(3)} (rounds ${perRound.map((x) => x.toFixed(3)).join(', ')})`;
};
console.log(JSON.stringify({ requests: REQUESTS, rounds: ROUNDS, results }, null, 1));
for (const [a, b] of [
  ['sweep', 'group'],
  ['sh + tini -s, group', 'sh, group'],
]) {
  console.log(
    `${a} / ${b}: CPU per activation ${ratio(a, b, 'cpuUsPerActivation')}, req/s ${ratio(a, b, 'requestsPerSecond')}`,
  );
}
