import type { Writable } from 'node:stream';

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');

/**
 * Counts a child stream's bytes against the output limit. Once over it, every later chunk is
 * dropped and `onOverflow` runs once, so a runaway child costs no memory while it is being killed.
 */
abstract class LimitedSink {
  #bytes = 0;
  #overflowed = false;

  constructor(
    protected readonly target: Writable,
    private readonly limitBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get overflowed(): boolean {
    return this.#overflowed;
  }

  push(chunk: Buffer): void {
    if (this.#overflowed) return;
    this.#bytes += chunk.length;
    if (this.#bytes > this.limitBytes) {
      this.#overflowed = true;
      this.dropBuffered();
      this.onOverflow();
      return;
    }
    this.accept(chunk);
  }

  /** Starts a new activation's count (actionloop mode: one child, many activations). */
  resetCount(): void {
    this.#bytes = 0;
  }

  protected abstract accept(chunk: Buffer): void;
  protected abstract dropBuffered(): void;
}

/**
 * Passes a child's output on to a log stream one whole line at a time, so the lines of children
 * running side by side never mix in the proxy's own output.
 */
export class LineForwarder extends LimitedSink {
  #partial: Buffer[] = [];

  protected accept(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.#partial.push(chunk);
      return;
    }
    const lines = lastNewline === chunk.length - 1 ? chunk : chunk.subarray(0, lastNewline + 1);
    if (this.#partial.length > 0) {
      this.#partial.push(lines);
      this.target.write(Buffer.concat(this.#partial));
      this.#partial = [];
    } else {
      this.target.write(lines);
    }
    if (lastNewline < chunk.length - 1) this.#partial.push(chunk.subarray(lastNewline + 1));
  }

  /** Writes out a line the child left unfinished, ending it so the next writer starts afresh. */
  flush(): void {
    if (this.#partial.length === 0) return;
    this.#partial.push(NEWLINE_BYTES);
    this.target.write(Buffer.concat(this.#partial));
    this.#partial = [];
  }

  protected dropBuffered(): void {
    this.#partial = [];
  }
}

/**
 * The blackbox contract for stdout: the last line is the result, every line before it is a log.
 * The latest complete line is held back until a later one shows it was not the last.
 */
export class LastLineCapture extends LimitedSink {
  #held: Buffer | undefined;
  #partial: Buffer[] = [];

  protected accept(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.#partial.push(chunk);
      return;
    }
    let complete = chunk.subarray(0, lastNewline + 1);
    if (this.#partial.length > 0) {
      this.#partial.push(complete);
      complete = Buffer.concat(this.#partial);
      this.#partial = [];
    }
    const previousNewline =
      complete.length < 2 ? -1 : complete.lastIndexOf(NEWLINE, complete.length - 2);
    if (this.#held !== undefined) this.target.write(this.#held);
    if (previousNewline === -1) {
      this.#held = complete;
    } else {
      this.target.write(complete.subarray(0, previousNewline + 1));
      this.#held = complete.subarray(previousNewline + 1);
    }
    if (lastNewline < chunk.length - 1) this.#partial.push(chunk.subarray(lastNewline + 1));
  }

  /**
   * The result line as bytes (one trailing newline allowed): it is answered as it is, never
   * decoded and encoded again. The line held back becomes a log if it was not the last.
   */
  finish(): Buffer {
    if (this.#partial.length > 0) {
      if (this.#held !== undefined) this.target.write(this.#held);
      this.#held = undefined;
      const last =
        this.#partial.length === 1 ? (this.#partial[0] as Buffer) : Buffer.concat(this.#partial);
      this.#partial = [];
      return last;
    }
    const last = this.#held ?? Buffer.alloc(0);
    this.#held = undefined;
    return last;
  }

  protected dropBuffered(): void {
    this.#held = undefined;
    this.#partial = [];
  }
}

/**
 * Splits a stream into lines for a consumer (actionloop mode's fd 3). One line may not grow past the
 * limit: a result that large would be refused by the invoker anyway, and memory stays bounded.
 */
export class LineReader {
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #overflowed = false;

  constructor(
    private readonly limitBytes: number,
    private readonly onOverflow: () => void,
    private readonly onLine: (line: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.#overflowed) return;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    while (newline !== -1) {
      let line = chunk.subarray(start, newline);
      if (this.#partial.length > 0) {
        this.#partial.push(line);
        line = Buffer.concat(this.#partial);
        this.#partial = [];
        this.#partialBytes = 0;
      }
      if (line.length > this.limitBytes) {
        this.overflow();
        return;
      }
      this.onLine(line);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.#partialBytes += chunk.length - start;
      if (this.#partialBytes > this.limitBytes) {
        this.overflow();
        return;
      }
      this.#partial.push(chunk.subarray(start));
    }
  }

  private overflow(): void {
    this.#overflowed = true;
    this.#partial = [];
    this.onOverflow();
  }
}
