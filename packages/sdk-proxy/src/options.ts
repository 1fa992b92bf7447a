import {
  integerIn,
  listenOptionSpecs,
  type OptionValues,
  oneOf,
  optionsTable,
  parseOptionsOnly,
} from '@owkit/host/command-line';

export type ProxyMode = 'blackbox' | 'actionloop';

const RENAMED_MODES: Readonly<Record<string, ProxyMode>> = {
  'per-activation': 'blackbox',
  loop: 'actionloop',
};

/** OpenWhisk's names only; an old name is refused with the one that replaced it. */
function proxyMode(raw: string): ProxyMode {
  const renamed = RENAMED_MODES[raw];
  if (renamed !== undefined) {
    throw new Error(`"${raw}" is now called "${renamed}"; expected one of blackbox, actionloop`);
  }
  return oneOf<ProxyMode>(['blackbox', 'actionloop'])(raw);
}

/** Every option of the proxy, declared once; `--help` and the README's table are this list. */
export const proxyOptionSpecs = {
  exec: {
    flag: 'exec',
    env: 'OWKIT_EXEC',
    default: '/action/exec',
    description: 'The action executable. It runs with its own folder as working directory.',
    parse: (raw: string) => raw,
  },
  mode: {
    flag: 'mode',
    env: 'OWKIT_MODE',
    default: 'blackbox' as ProxyMode,
    description:
      '`blackbox` spawns the executable for every `/run`; `actionloop` keeps it running and talks to it line by line. The old names `per-activation` and `loop` are refused.',
    parse: proxyMode,
  },
  ...listenOptionSpecs,
  pool: {
    flag: 'pool',
    env: 'OWKIT_POOL',
    default: 1,
    description: 'Actionloop mode: how many identical children serve activations side by side.',
    parse: integerIn(1, 256),
  },
  spawnHelper: {
    flag: 'spawn-helper',
    env: 'OWKIT_SPAWN_HELPER',
    default: 'auto',
    description:
      'Blackbox mode: `auto` starts children through `owkit-spawn` when it sits beside the proxy (in the image and after a build), else through Node; `off` always through Node; or the path of the helper.',
    parse: (raw: string) => raw,
  },
  outputLimit: {
    flag: 'output-limit',
    env: 'OWKIT_OUTPUT_LIMIT_BYTES',
    default: 16 * 1024 * 1024,
    description:
      'Bytes one activation may write to stdout, and to stderr, before it is stopped with a 502.',
    parse: integerIn(1024, 2 ** 31),
  },
  treeKill: {
    flag: 'tree-kill',
    env: 'OWKIT_TREE_KILL',
    default: 'sweep' as 'sweep' | 'group',
    description:
      "How a finished child's leftovers are found: `sweep` kills its process group and every process carrying its `OWKIT_ACTIVATION_TREE` tag (`setsid` and double forks included); `group` only the group.",
    parse: oneOf(['sweep', 'group'] as const),
  },
  unzipMaxBytes: {
    flag: 'unzip-max-bytes',
    env: 'OWKIT_UNZIP_MAX_BYTES',
    default: 512 * 1024 * 1024,
    description: 'Most bytes a `/init` code zip may unpack to, all entries together.',
    parse: integerIn(1024, 2 ** 40),
  },
  unzipMaxEntries: {
    flag: 'unzip-max-entries',
    env: 'OWKIT_UNZIP_MAX_ENTRIES',
    default: 100_000,
    description: 'Most entries (files, folders and links) a `/init` code zip may hold.',
    parse: integerIn(1, 10_000_000),
  },
  timeout: {
    flag: 'timeout',
    env: 'OWKIT_TIMEOUT_MS',
    default: 0,
    description:
      "Longest activation in milliseconds; 0 leaves it to the request's `deadline` alone.",
    parse: integerIn(0, 2 ** 31 - 1),
  },
};

export type ProxyOptions = OptionValues<typeof proxyOptionSpecs>;

export function parseOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ProxyOptions {
  return parseOptionsOnly(proxyOptionSpecs, argv, env);
}

export function proxyOptionsTable(): string {
  return optionsTable(proxyOptionSpecs);
}
