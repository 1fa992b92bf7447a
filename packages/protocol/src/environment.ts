import { isDictionaryOrArray } from './json.js';

/**
 * `/init` env values as environment strings: strings as they are, numbers and booleans as text,
 * null as "", objects and arrays as compact JSON.
 */
export function initEnvToStrings(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isDictionaryOrArray(env) || Array.isArray(env)) return out;
  for (const [key, value] of Object.entries(env)) {
    if (value === null || value === undefined) out[key] = '';
    else if (typeof value === 'string') out[key] = value;
    else if (isDictionaryOrArray(value)) out[key] = JSON.stringify(value);
    else out[key] = String(value);
  }
  return out;
}

/** The deadline in epoch milliseconds, or Infinity when the request carries none. */
export function parseDeadline(raw: unknown): number {
  const ms = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : Number.POSITIVE_INFINITY;
}
