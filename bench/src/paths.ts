import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bench/`, whether this file runs from `src/` (vitest) or `dist/` (the built CLI). */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const FLOORS_DIR = resolve(BENCH_DIR, 'floors');
/** Host builds of the Go floors (process mode runs them; images copy them). */
export const FLOOR_BIN_DIR = resolve(BENCH_DIR, 'bin');
