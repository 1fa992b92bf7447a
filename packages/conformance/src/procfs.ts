import { readdirSync, readFileSync } from 'node:fs';

/** What /proc says about one process. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** `comm`: the executable's name, at most 15 characters. */
  name: string;
  state: string;
}

function readStat(pid: number): ProcessInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // Gone between the directory listing and the read: it is simply not there any more.
    return undefined;
  }
  // comm is in parentheses and may itself hold spaces or parentheses: split after the last ')'.
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const [state = '?', ppid = '0'] = text.slice(close + 2).split(' ');
  return { pid, ppid: Number(ppid), name, state };
}

export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(Number(entry));
    if (info !== undefined) out.push(info);
  }
  return out;
}

/** Every process below `pid` in the parent tree (not `pid` itself), zombies included. */
export function descendantsOf(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) {
    const siblings = children.get(info.ppid) ?? [];
    siblings.push(info);
    children.set(info.ppid, siblings);
  }
  const out: ProcessInfo[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * Processes whose environment holds `NAME=value`. An orphan is re-parented away from the tree
 * it came from, but it keeps the environment it inherited, so a marker variable finds it.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue;
    }
    if (environ.includes(needle)) out.push(Number(entry));
  }
  return out;
}

function statusField(pid: number, field: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1).trim();
}

/** Resident memory of one process, in bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  const value = statusField(pid, 'VmRSS');
  return value === undefined ? 0 : Number.parseInt(value, 10) * 1024;
}

/** Resident memory of a process and everything below it, in bytes. */
export function treeRssBytes(pid: number): number {
  return [pid, ...descendantsOf(pid).map((p) => p.pid)].reduce((sum, p) => sum + rssBytes(p), 0);
}

/** The real, effective, saved and filesystem uids of a process. */
export function uidsOf(pid: number): number[] {
  const value = statusField(pid, 'Uid');
  if (value === undefined) throw new Error(`process ${pid} is gone`);
  return value.split(/\s+/).map(Number);
}

export function isAlive(pid: number): boolean {
  const info = readStat(pid);
  return info !== undefined && info.state !== 'Z';
}
