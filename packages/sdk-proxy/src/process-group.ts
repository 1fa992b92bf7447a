/**
 * Kills every process in the group led by `pid`. Children are spawned detached, so each leads
 * its own group and anything they fork stays in it. A group with no member left is not an error:
 * that is the normal case once a well-behaved child has exited.
 */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
