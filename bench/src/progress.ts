import type { Writable } from 'node:stream';

/**
 * Line-by-line progress (turbo pipes the output, so no cursor tricks): elapsed time, phase,
 * step k of n, and what is left.
 */
export class Progress {
  private readonly startedAt = performance.now();
  private phase = '';
  private done = 0;
  private total = 0;

  constructor(private readonly out: Writable) {}

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  private stamp(): string {
    const seconds = Math.floor(this.elapsedMs() / 1000);
    const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
    const ss = String(seconds % 60).padStart(2, '0');
    return `[${mm}:${ss}]`;
  }

  line(text: string): void {
    this.out.write(`${this.stamp()} ${text}\n`);
  }

  /** `name` prefixes every step line; `detail` is said once, in the phase's header. */
  startPhase(name: string, steps: number, detail = ''): void {
    this.phase = name;
    this.done = 0;
    this.total = steps;
    this.line(
      `── ${name}${detail === '' ? '' : `: ${detail}`} (${steps} run${steps === 1 ? '' : 's'})`,
    );
  }

  step(variant: string, detail: string): void {
    this.done++;
    const left = this.total - this.done;
    this.line(
      `${this.phase} ${this.done}/${this.total} ${variant.padEnd(24)} ${detail}  (${left} left)`,
    );
  }
}
