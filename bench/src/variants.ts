/**
 * The one list of what the bench measures: the four ways of running the reverse-string action,
 * and the floors each is compared with. Everything else (images to check, order of runs, report
 * rows, ratios) is derived from here.
 */
import { resolve } from 'node:path';
import { variantNamed as manifestVariant } from '@owkit/host/variants';
import { FLOOR_BIN_DIR, FLOORS_DIR, REPO_DIR } from './paths.js';
import { REVERSE_STRING, REVERSE_WEB, REVERSED_TEXT, type Workload } from './workload.js';

export const VARIANT_NAMES = [
  'ts-native',
  'go-native',
  'go-blackbox',
  'go-actionloop',
  'web-ts-native',
  'web-go-native',
  'floor-node',
  'floor-node-default',
  'floor-node-no-sentinels',
  'floor-go',
  'floor-go-no-sentinels',
  'floor-engine',
  'floor-spawn',
  'floor-python-spawn',
  'floor-go-pipe',
] as const;

export type VariantName = (typeof VARIANT_NAMES)[number];

export function isVariantName(name: string): name is VariantName {
  return (VARIANT_NAMES as readonly string[]).includes(name);
}

/** How a variant runs without Docker: a command line relative to nothing (absolute paths). */
export interface ProcessCommand {
  command: string;
  args: string[];
}

export interface Variant {
  name: VariantName;
  role: 'variant' | 'floor';
  description: string;
  /** `server`: answers the protocol on PORT. `spawn`: no server, Node spawning a binary. */
  kind: 'server' | 'spawn';
  /** The image in Docker mode; absent for the spawn floor and floor-python-spawn (process only). */
  image?: string;
  /** The image this one is built on, for "bytes added"; `null` is `FROM scratch`. */
  baseImage?: string | null;
  /** Extra environment for the container or process. */
  env: Record<string, string>;
  /** Variables removed from the inherited environment in process mode. */
  unsetEnv?: string[];
  measure: { image: boolean; coldStart: boolean; throughput: boolean };
  /** The floor each measurement is held against, where one applies. */
  floors: { coldStart?: VariantName; throughput?: VariantName };
  /**
   * Variants compared with each other load back to back within a round (see pairedOrder), so
   * the two sides of a ratio are seconds apart rather than a whole round.
   */
  pairGroup: 'node' | 'go' | 'spawn' | 'loop' | 'engine';
  /** What each `/run` asks (its params) and how the answer to any text must read. */
  workload: Workload;
  /** The exact `/run` body expected for the default text; `null` when the server does not do the work. */
  expectedRunBody: string | null;
  process?: ProcessCommand;
}

const GO_BIN_DIR = resolve(REPO_DIR, 'actions/reverse-string-go/bin');
export const BLACKBOX_BINARY = resolve(GO_BIN_DIR, 'blackbox');
/** The persistent child of go-actionloop and floor-go-pipe. */
export const ACTIONLOOP_BINARY = resolve(GO_BIN_DIR, 'actionloop');
/** The system's Python 3 (Debian's), which floor-python-spawn runs on. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const REVERSED = REVERSE_STRING.answer(REVERSED_TEXT);
const NO_SENTINELS = { OWKIT_FLOOR_SENTINELS: '0' };

/**
 * What the manifest of variants (`@owkit/host/variants`, which conformance and `pnpm invoke` read
 * too) says of a variant: its image and the image it is built on, how it runs as a process, and
 * the exact answer to the default request. The bench adds what only it needs.
 */
function fromManifest(
  name: VariantName,
): Pick<Variant, 'image' | 'baseImage' | 'process' | 'expectedRunBody'> {
  const variant = manifestVariant(name);
  return {
    image: variant.image,
    baseImage: variant.baseImage,
    process: variant.process,
    expectedRunBody: variant.expected.answer,
  };
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'ts-native',
    pairGroup: 'node',
    role: 'variant',
    description: 'TypeScript handler on the native owkit runtime, Node 24 base',
    kind: 'server',
    ...fromManifest('ts-native'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-node', throughput: 'floor-node' },
    workload: REVERSE_STRING,
  },
  {
    name: 'go-native',
    pairGroup: 'go',
    role: 'variant',
    description: 'Go handler on the native owkit Go runtime, FROM scratch',
    kind: 'server',
    ...fromManifest('go-native'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-go', throughput: 'floor-go' },
    workload: REVERSE_STRING,
  },
  {
    name: 'go-blackbox',
    pairGroup: 'spawn',
    role: 'variant',
    description: 'owkit sdk-proxy spawning the Go binary per activation (the seed baseline)',
    kind: 'server',
    ...fromManifest('go-blackbox'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-node', throughput: 'floor-spawn' },
    workload: REVERSE_STRING,
  },
  {
    name: 'go-actionloop',
    pairGroup: 'loop',
    role: 'variant',
    description: 'owkit sdk-proxy in actionloop mode with one persistent Go child',
    kind: 'server',
    ...fromManifest('go-actionloop'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-node', throughput: 'floor-node' },
    workload: REVERSE_STRING,
  },
  {
    name: 'web-ts-native',
    pairGroup: 'node',
    role: 'variant',
    description:
      'actions/reverse-web: a Fetch API app as a web action on the native runtime; its JSON endpoint',
    kind: 'server',
    ...fromManifest('web-ts-native'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-node', throughput: 'floor-node' },
    workload: REVERSE_WEB,
  },
  {
    name: 'web-go-native',
    pairGroup: 'go',
    role: 'variant',
    description:
      'actions/reverse-web-go: an http.ServeMux app as a web action on the native Go runtime; its JSON endpoint',
    kind: 'server',
    ...fromManifest('web-go-native'),
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: { coldStart: 'floor-go', throughput: 'floor-go' },
    workload: REVERSE_WEB,
  },
  {
    name: 'floor-node',
    pairGroup: 'node',
    role: 'floor',
    description: 'bare node:http doing the same work, writing the two sentinel lines',
    kind: 'server',
    image: 'owkit/floor:node',
    baseImage: 'owkit/node-base:24',
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: 'node', args: [resolve(FLOORS_DIR, 'node/server.mjs')] },
  },
  {
    name: 'floor-node-default',
    pairGroup: 'node',
    role: 'floor',
    description:
      "floor-node on the same Node binary with Node's default flags (no NODE_OPTIONS, no MALLOC_ARENA_MAX)",
    kind: 'server',
    image: 'owkit/floor:node-default',
    env: {},
    unsetEnv: ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'],
    measure: { image: false, coldStart: false, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: 'node', args: [resolve(FLOORS_DIR, 'node/server.mjs')] },
  },
  {
    name: 'floor-node-no-sentinels',
    pairGroup: 'node',
    role: 'floor',
    description: 'floor-node with the sentinel lines switched off (not reachable when compliant)',
    kind: 'server',
    image: 'owkit/floor:node',
    baseImage: 'owkit/node-base:24',
    env: NO_SENTINELS,
    measure: { image: false, coldStart: false, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: 'node', args: [resolve(FLOORS_DIR, 'node/server.mjs')] },
  },
  {
    name: 'floor-go',
    pairGroup: 'go',
    role: 'floor',
    description: 'bare Go net/http doing the same work, writing the two sentinel lines',
    kind: 'server',
    image: 'owkit/floor:go',
    baseImage: null,
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: resolve(FLOOR_BIN_DIR, 'floor-go'), args: [] },
  },
  {
    name: 'floor-go-no-sentinels',
    pairGroup: 'go',
    role: 'floor',
    description: 'floor-go with the sentinel lines switched off (not reachable when compliant)',
    kind: 'server',
    image: 'owkit/floor:go',
    baseImage: null,
    env: NO_SENTINELS,
    measure: { image: false, coldStart: false, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: resolve(FLOOR_BIN_DIR, 'floor-go'), args: [] },
  },
  {
    name: 'floor-engine',
    pairGroup: 'engine',
    role: 'floor',
    description: 'FROM scratch static Go binary that answers at once: the engine alone',
    kind: 'server',
    image: 'owkit/floor:engine',
    baseImage: null,
    env: {},
    measure: { image: true, coldStart: true, throughput: false },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: null,
    process: { command: resolve(FLOOR_BIN_DIR, 'floor-engine'), args: [] },
  },
  {
    name: 'floor-spawn',
    pairGroup: 'spawn',
    role: 'floor',
    description: 'Node spawning the Go blackbox binary directly, no HTTP, one call at a time',
    kind: 'spawn',
    env: {},
    measure: { image: false, coldStart: false, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
  },
  {
    name: 'floor-python-spawn',
    pairGroup: 'spawn',
    role: 'floor',
    description:
      "Python 3 http.server running the Go blackbox binary per activation through subprocess (dockerskeleton's way); process only",
    kind: 'server',
    env: {},
    measure: { image: false, coldStart: true, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: {
      command: SYSTEM_PYTHON,
      args: [resolve(FLOORS_DIR, 'python/server.py'), BLACKBOX_BINARY],
    },
  },
  {
    name: 'floor-go-pipe',
    pairGroup: 'loop',
    role: 'floor',
    description:
      "bare Go net/http piping each /run line to one persistent actionloop child (ActionLoop's way), writing the sentinels",
    kind: 'server',
    image: 'owkit/floor:go-pipe',
    baseImage: null,
    env: {},
    measure: { image: true, coldStart: true, throughput: true },
    floors: {},
    workload: REVERSE_STRING,
    expectedRunBody: REVERSED,
    process: { command: resolve(FLOOR_BIN_DIR, 'floor-go-pipe'), args: [ACTIONLOOP_BINARY] },
  },
];

/**
 * The order of one throughput round: the pair groups rotate from round to round, and within a
 * group the order flips every other round, so no variant always runs first or right after the
 * same neighbour, while the two sides of every ratio stay next to each other.
 */
export function pairedOrder<V extends Pick<Variant, 'pairGroup'>>(
  variants: readonly V[],
  round: number,
): V[] {
  const groups: V[][] = [];
  for (const variant of variants) {
    const group = groups.find((g) => g[0]?.pairGroup === variant.pairGroup);
    if (group === undefined) groups.push([variant]);
    else group.push(variant);
  }
  const shift = (round - 1) % Math.max(groups.length, 1);
  const rotated = [...groups.slice(shift), ...groups.slice(0, shift)];
  return rotated.flatMap((group) => (round % 2 === 0 ? [...group].reverse() : group));
}

export function variantNamed(name: VariantName): Variant {
  const variant = VARIANTS.find((candidate) => candidate.name === name);
  if (variant === undefined) throw new Error(`no variant named ${name}`);
  return variant;
}

/**
 * What the process pass of `--runtime both` measures: every variant a throughput goal or a
 * peer's goal reads, and nothing else (the full profile's time).
 */
export const PROCESS_PASS_VARIANTS = [
  'ts-native',
  'go-native',
  'go-blackbox',
  'go-actionloop',
  'floor-node',
  'floor-go',
  'floor-python-spawn',
  'floor-go-pipe',
] as const satisfies readonly VariantName[];

/** The variant every other one is also compared with: the seed's way of running Go. */
export const BASELINE: VariantName = 'go-blackbox';
