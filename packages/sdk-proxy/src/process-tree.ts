import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The environment variable that marks every process of one child's tree. Children inherit their
 * parent's environment through fork and exec, so a grandchild that left the process group with
 * `setsid`, or was orphaned by a double fork, still carries it.
 */
export const TREE_TAG_VARIABLE = 'OWKIT_ACTIVATION_TREE';

/** How leftovers are found: the process group only, or the group and a /proc sweep for the tag. */
export type TreeKill = 'group' | 'sweep';

/** A sweep repeats while it finds processes: one may have forked between the read and the kill. */
const MAX_SWEEPS = 16;
/**
 * A process in the middle of execve shows an empty environment for a moment, so a round that
 * found nothing right after one that killed can miss a grandchild being exec'd. Once a sweep has
 * killed, it ends only after this many quiet rounds, this far apart; a tree that left nothing
 * behind (every normal activation) pays one round. owkit-spawn's sweep keeps the same rule.
 */
const QUIET_ROUNDS = 2;
const QUIET_PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Where many processes run (a host has hundreds), a tree younger than this is swept only among
 * the pids allocated since its child's: every process it started has one of those, and reading
 * every environment would cost milliseconds. An older tree is swept in full, so that pids going
 * all the way round (`pid_max` can be 32768) within its life cannot hide anything.
 */
const RECENT_TREE_MS = 1000;
/** Up to this many other processes, reading them all is cheaper than narrowing them down. */
const FEW_PROCESSES = 16;

/** What the kernel's OOM killer adds to a child's badness: 1000 makes it the first choice. */
const CHILD_OOM_SCORE_ADJ = '1000';

/**
 * Finds and kills what one child started. Each child gets a tag of its own in its environment;
 * killing its tree kills its process group, then every process of ours whose environment holds
 * the tag, until a sweep finds none.
 */
export class ProcessTrees {
  readonly #kill: TreeKill;
  /** Random, so that no other proxy on the host (another container's, say) hands out the same. */
  readonly #prefix = `${process.pid}.${randomBytes(6).toString('hex')}`;
  #next = 0;
  /** Children alive now: each is another tree's root, so a sweep need not read it. */
  readonly #children = new Set<number>();
  /** Where each tree started in the pid sequence, and when. */
  readonly #roots = new Map<string, { pid: number; at: number }>();

  constructor(kill: TreeKill) {
    this.#kill = kill;
  }

  /** A fresh tag and the environment that carries it. */
  tag(env: Record<string, string>): { tag: string; env: Record<string, string> } {
    this.#next += 1;
    const tag = `${this.#prefix}.${this.#next}`;
    return { tag, env: this.#kill === 'sweep' ? { ...env, [TREE_TAG_VARIABLE]: tag } : env };
  }

  /** A child was spawned: it is alive until `ended`, its tree known until `forget`. */
  started(pid: number | undefined, tag: string): void {
    if (pid === undefined) return;
    this.#children.add(pid);
    this.#roots.set(tag, { pid, at: performance.now() });
  }

  /** The activation is over: its tree was killed for the last time. */
  forget(tag: string): void {
    this.#roots.delete(tag);
  }

  /** The child was reaped; its pid may be reused by anyone from now on. */
  ended(pid: number | undefined): void {
    if (pid !== undefined) this.#children.delete(pid);
  }

  /**
   * Kills the child's process group and, when sweeping, every process still tagged with `tag`.
   * Synchronous: it is done before the activation answers.
   */
  kill(pid: number | undefined, tag: string): void {
    killProcessGroup(pid);
    if (this.#kill !== 'sweep') return;
    // The other children are not read: the cost stays that of what the children started.
    const others = new Set(this.#children);
    if (pid !== undefined) others.delete(pid);
    sweep(tag, others, () => this.#sinceRoot(tag));
  }

  /** The pids allocated since the tree's child, when that is all a sweep must read. */
  #sinceRoot(tag: string): PidRange | undefined {
    const root = this.#roots.get(tag);
    if (root === undefined || performance.now() - root.at > RECENT_TREE_MS) return undefined;
    const last = lastAllocatedPid();
    return last === undefined ? undefined : { first: root.pid, last };
  }
}

/** Pids from `first` to `last` in allocation order, wrapping past pid_max when last < first. */
export interface PidRange {
  first: number;
  last: number;
}

function inRange(pid: number, range: PidRange): boolean {
  return range.first <= range.last
    ? pid >= range.first && pid <= range.last
    : pid >= range.first || pid <= range.last;
}

/** The pid the kernel handed out last in this pid namespace; undefined where it cannot be read. */
function lastAllocatedPid(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs every readable process whose environment holds `TAG=tag`, but for this process, its
 * parent and the pids in `skip`; where many run, only those in the range `narrow` gives, if it
 * gives one. Returns how many.
 */
export function sweep(
  tag: string,
  skip: ReadonlySet<number> = new Set(),
  narrow: () => PidRange | undefined = () => undefined,
): number {
  const needle = Buffer.from(`${TREE_TAG_VARIABLE}=${tag}\0`);
  let killed = 0;
  let quiet = 0;
  for (let round = 0; round < MAX_SWEEPS; round++) {
    let found = 0;
    for (const pid of candidates(skip, narrow)) {
      let environ: Buffer;
      try {
        // Another user's process, or one that just ended: not ours to find.
        environ = readFileSync(`/proc/${pid}/environ`);
      } catch {
        continue;
      }
      if (!holdsVariable(environ, needle)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        found += 1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    killed += found;
    if (found > 0) {
      quiet = 0;
      continue;
    }
    if (killed === 0 || quiet === QUIET_ROUNDS) break;
    quiet += 1;
    // The sweep runs where the child's end is handled, synchronously: a short blocking wait.
    Atomics.wait(pause, 0, 0, QUIET_PAUSE_MS);
  }
  return killed;
}

/** Every process /proc lists but this one, its parent and `skip`; narrowed when there are many. */
function candidates(skip: ReadonlySet<number>, narrow: () => PidRange | undefined): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const pid = Number(entry);
    if (pid !== process.pid && pid !== process.ppid && !skip.has(pid)) pids.push(pid);
  }
  if (pids.length <= FEW_PROCESSES) return pids;
  const range = narrow();
  return range === undefined ? pids : pids.filter((pid) => inRange(pid, range));
}

function holdsVariable(environ: Buffer, needle: Buffer): boolean {
  let at = environ.indexOf(needle);
  while (at !== -1) {
    if (at === 0 || environ[at - 1] === 0) return true;
    at = environ.indexOf(needle, at + 1);
  }
  return false;
}

/**
 * Kills every process in the group led by `pid`. Children are spawned detached, so each leads
 * its own group and anything they fork stays in it unless it calls `setsid`. A group with no
 * member left is not an error: that is the normal case once a well-behaved child has exited.
 */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Makes a child the OOM killer's first choice, so an action that outgrows the container's memory
 * dies instead of the proxy. Raising the value needs no privilege; what the child forks after
 * this inherits it. Best effort: the child may already be gone, or /proc not writable.
 */
export function preferForOomKill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, CHILD_OOM_SCORE_ADJ);
  } catch {
    // Gone already, or a kernel without the file: the child simply keeps its default score.
  }
}
