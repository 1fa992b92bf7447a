import { setTimeout as delay } from 'node:timers/promises';

/**
 * Re-evaluates `probe` until `done` accepts its value or the deadline passes, then returns the
 * last value either way: the caller's assertion then shows what was seen.
 */
export async function pollUntil<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await delay(intervalMs);
  }
}
