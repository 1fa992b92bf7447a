/**
 * What must be undone if the run is interrupted: the throw-away engine, the registry, containers.
 * Each step registers its undo while it holds something and drops it once it has let go.
 */
export class CleanupList {
  private readonly tasks = new Set<() => Promise<void>>();

  add(task: () => Promise<void>): () => void {
    this.tasks.add(task);
    return () => this.tasks.delete(task);
  }

  /** Runs every registered task, newest first; one failing does not stop the others. */
  async runAll(report: (error: unknown) => void): Promise<void> {
    const tasks = [...this.tasks].reverse();
    this.tasks.clear();
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        report(error);
      }
    }
  }
}
