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

/**
 * The activation's context variables: every top-level `/run` key but `value` as `__OW_<KEY>`;
 * strings as they are, numbers and booleans as text, anything else skipped.
 */
export function activationEnv(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'value') continue;
    const name = `__OW_${key.toUpperCase()}`;
    if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
  }
  return out;
}

/** The deadline in epoch milliseconds, or Infinity when the request carries none. */
export function parseDeadline(raw: unknown): number {
  const ms = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : Number.POSITIVE_INFINITY;
}
