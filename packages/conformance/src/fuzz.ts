/**
 * Generators of hostile requests for the fuzz tests: random bytes, random JSON, deep nesting,
 * huge numbers, odd Unicode, and request shapes with the wrong type at every key.
 */
import fc from 'fast-check';

export interface FuzzRequest {
  method: string;
  path: string;
  body: Buffer;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));
const oddUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u2028',
      '\u2029',
      '\ufeff',
      '\uffff',
      '\u0301',
      '"',
      '\\',
    ),
  },
);
/** Strings with lone surrogates, NULs, separators, BOMs and combining marks among the rest. */
export const oddString = fc.string({ unit: oddUnit, maxLength: 64 });

/** Numbers no JSON library agrees on: past double range, tiny, negative zero, long integers. */
export const hugeNumberText = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '0e0',
    '123456789012345678901234567890123',
    '9007199254740993',
    '-9223372036854775809',
    '1.7976931348623157e309',
  ),
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map(String),
);

/** `depth` levels of arrays or objects around `inner`, as JSON text. */
export function nested(depth: number, kind: 'array' | 'object', inner = '0'): string {
  return kind === 'array'
    ? '['.repeat(depth) + inner + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** A value of any JSON type, odd strings and huge numbers included (as JSON text). */
const anyJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 3 }),
  oddString.map((s) => JSON.stringify(s)),
  hugeNumberText,
  fc.constantFrom('null', 'true', 'false', '[]', '{}', '""'),
);

const RUN_KEYS = [
  'value',
  'namespace',
  'action_name',
  'action_version',
  'activation_id',
  'transaction_id',
  'deadline',
  'api_key',
];
const INIT_KEYS = ['name', 'main', 'code', 'binary', 'env'];

/** An object with some of `keys`, each holding any JSON text (often the wrong type). */
function shapedObject(keys: readonly string[]): fc.Arbitrary<string> {
  return fc
    .subarray([...keys])
    .chain((present) =>
      fc.tuple(...present.map((key) => anyJsonText.map((v) => [key, v] as const))),
    )
    .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

const runShaped = fc.oneof(
  shapedObject(RUN_KEYS),
  // Plausible params for the action, with odd payloads of any type.
  fc
    .record({ payload: fc.oneof(oddString, fc.jsonValue({ maxDepth: 2 })) })
    .map((value) => JSON.stringify({ value })),
  hugeNumberText.map((n) => `{"value":{"payload":${n}}}`),
  hugeNumberText.map((n) => `{"value":${n},"deadline":${n}}`),
);

const initShaped = fc.oneof(
  shapedObject(INIT_KEYS).map((value) => `{"value":${value}}`),
  fc
    .dictionary(
      oddString,
      anyJsonText.map((t) => JSON.parse(t) as unknown),
    )
    .map((env) => JSON.stringify({ value: { name: 'x', main: 'main', env } })),
  anyJsonText.map((v) => `{"value":${v}}`),
);

const deep = fc.oneof(
  fc
    .constantFrom(10_000, 100_000)
    .chain((depth) =>
      fc.constantFrom(
        `{"value":${nested(depth, 'object')}}`,
        `{"value":{"payload":${nested(depth, 'array')}}}`,
        `{"value":${nested(depth, 'array')}}`,
      ),
    ),
  fc
    .integer({ min: 1, max: 3_000 })
    .map((depth) => `{"value":{"payload":${nested(depth, 'array', '"x"')}}}`),
);

/** Bodies: raw bytes, JSON of any shape, request-shaped JSON with wrong types, deep nesting. */
export const fuzzBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)) },
  { weight: 5, arbitrary: runShaped.map((t) => Buffer.from(t)) },
  { weight: 2, arbitrary: initShaped.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: deep.map((t) => Buffer.from(t)) },
  // Valid JSON with bytes that are not UTF-8 inside a string.
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 16 })
      .map((b) =>
        Buffer.concat([
          Buffer.from('{"value":{"payload":"'),
          Buffer.from(b.map((x) => x | 0x80)),
          Buffer.from('"}}'),
        ]),
      ),
  },
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constant('POST') },
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  ),
  path: fc.oneof(
    { weight: 8, arbitrary: fc.constant('/run') },
    { weight: 3, arbitrary: fc.constant('/init') },
    fc.constantFrom('/', '/run/', '/RUN', '/init?x=1', '/run?deadline=1', '//run'),
    fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  ),
  body: fuzzBody,
});

/** What kept failing seeds look like on disk (test/fuzz-regressions.json). */
export interface FuzzRegression {
  /** Server the requests first broke. */
  server: string;
  /** The fast-check seed that found it; null for a case reduced by hand from one. */
  seed: number | null;
  /** Why it failed, as the property said. */
  failure: string;
  /** Replay on a server of its own (a first /init), rather than on the long-running one. */
  freshServer: boolean;
  requests: Array<{ method: string; path: string; bodyBase64: string }>;
}
