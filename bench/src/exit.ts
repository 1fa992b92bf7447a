/** The bench's exit codes; docs/benchmarking.md lists the same. */
import { countVerdicts } from './goals.js';
import type { BenchResult } from './result.js';

/** What the exit code says; docs/benchmarking.md lists the same. */
export const EXIT = {
  /** Every measurement completed and every measured goal was met. */
  ok: 0,
  /** A measurement failed: a variant misbehaved, a phase failed, or the bench itself broke. */
  measurementFailed: 1,
  /** A bad option or argument. */
  usage: 2,
  /** Everything was measured; at least one goal missed (its whole interval on the wrong side). */
  goalMissed: 3,
  /** Everything was measured; no goal missed, at least one inconclusive. */
  goalInconclusive: 4,
} as const;

export function exitCodeFor(result: BenchResult): number {
  if (result.failed) return EXIT.measurementFailed;
  const counts = countVerdicts(result.goals);
  if (counts.missed > 0) return EXIT.goalMissed;
  if (counts.inconclusive > 0) return EXIT.goalInconclusive;
  return EXIT.ok;
}

/**
 * The exit code in words, for the bench's last line: pnpm and turbo then call any code but 0 a
 * failed command, and 3 or 4 are results, not failures.
 */
export function exitMeaning(code: number): string {
  switch (code) {
    case EXIT.ok:
      return 'every measurement completed and every goal was met';
    case EXIT.measurementFailed:
      return 'a measurement failed (see FAILED above and the report)';
    case EXIT.usage:
      return 'a bad option';
    case EXIT.goalMissed:
      return 'everything was measured and at least one goal was missed: a result, not a failure of the run';
    case EXIT.goalInconclusive:
      return 'everything was measured, no goal was missed and at least one was inconclusive: a result, not a failure of the run';
    default:
      return "not one of the bench's codes";
  }
}
