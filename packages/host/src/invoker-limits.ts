/**
 * The limits OpenWhisk's invoker puts on every action container by default: 256 MB of memory
 * with no swap, 1024 processes, 1024 open files, no raw sockets and no network administration.
 * Every container owkit starts — tests, the bench, `pnpm invoke` — gets them from here, so an
 * action that works locally also fits where it is deployed.
 *
 * No vitest and no Docker client in this module: non-test code (the CLI, the bench) imports it
 * through `@owkit/testkit/invoker-limits`.
 */

/** The invoker's default action memory, in MB (`--memory` and `--memory-swap`: no swap). */
export const INVOKER_MEMORY_MB = 256;

/**
 * The `docker run` arguments of the invoker's limits. `memoryMb` replaces the memory figure (an
 * action created with `--memory`); everything else is fixed.
 */
export function invokerLimitArgs(memoryMb: number = INVOKER_MEMORY_MB): string[] {
  if (!Number.isInteger(memoryMb) || memoryMb <= 0) {
    throw new RangeError(`memory must be a positive whole number of MB, got ${memoryMb}`);
  }
  return [
    '--memory',
    `${memoryMb}m`,
    '--memory-swap',
    `${memoryMb}m`,
    '--pids-limit',
    '1024',
    '--ulimit',
    'nofile=1024:1024',
    '--cap-drop',
    'NET_RAW',
    '--cap-drop',
    'NET_ADMIN',
  ];
}
