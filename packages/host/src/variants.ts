/**
 * The one manifest of owkit's variants: each way the example actions run, the package whose
 * `build` and `image` scripts make it, its image and the image that is built on, how it runs as a
 * process, and what it must answer. The bench, the conformance suite and `pnpm invoke` read it,
 * and a test keeps `manifest.yaml` in step with it. Also here, because the manifest is made of
 * them: the styles, where each style's build puts its artifact, and how a style runs as a
 * process, which `pnpm invoke --process` applies to any action.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, with a trailing separator (this file is `packages/host/{src,dist}/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The four ways an owkit action can run. */
export const STYLES = ['ts-native', 'go-native', 'go-blackbox', 'go-actionloop'] as const;
export type Style = (typeof STYLES)[number];

/** How a server produces a result: it runs the handler itself, or a proxy runs an executable. */
export type ServerKind = 'native' | 'blackbox' | 'actionloop';

export function isStyle(text: string): text is Style {
  return (STYLES as readonly string[]).includes(text);
}

export function kindOf(style: Style): ServerKind {
  if (style === 'go-blackbox') return 'blackbox';
  if (style === 'go-actionloop') return 'actionloop';
  return 'native';
}

/** The base images: Node for the TypeScript actions and the proxy, the proxy for its modes. */
export const NODE_BASE_IMAGE = 'owkit/node-base:24';
export const PROXY_IMAGES: Readonly<Record<Exclude<ServerKind, 'native'>, string>> = {
  blackbox: 'owkit/sdk-proxy:blackbox',
  actionloop: 'owkit/sdk-proxy:actionloop',
};

/** What a style's build writes, relative to the action's folder: the bundle or the Go binary. */
export function artifactOf(style: Style): string {
  return style === 'ts-native'
    ? join('dist', 'action.mjs')
    : join('bin', style.slice('go-'.length));
}

export function proxyBundle(root: string = REPO_ROOT): string {
  return join(root, 'packages', 'sdk-proxy', 'dist', 'owkit-proxy.mjs');
}

export interface ProcessCommand {
  command: string;
  args: string[];
}

/** How a style runs without Docker: the bundle on Node, the binary, or the proxy around it. */
export function processCommand(
  style: Style,
  actionDir: string,
  root: string = REPO_ROOT,
): ProcessCommand {
  const artifact = join(actionDir, artifactOf(style));
  const kind = kindOf(style);
  if (kind !== 'native') {
    return {
      command: process.execPath,
      args: [proxyBundle(root), '--mode', kind, '--exec', artifact],
    };
  }
  return style === 'ts-native'
    ? { command: process.execPath, args: [artifact] }
    : { command: artifact, args: [] };
}

export interface Variant {
  /** Its name in the bench's report and the conformance matrix. */
  name: string;
  /** The action folder under `actions/`. */
  action: string;
  /** The workspace package whose `build` and `image` scripts make it (turbo's filter). */
  package: string;
  style: Style;
  kind: ServerKind;
  image: string;
  /** The image it is built on; `null` is `FROM scratch`. */
  baseImage: string | null;
  /** The bundle or binary its build writes (absolute). */
  artifact: string;
  /** How it runs as a process (absolute paths), PORT from the environment. */
  process: ProcessCommand;
  /** What it does: reverse-string's `{payload}` → `{reversed}`, or the web examples' JSON endpoint. */
  workload: Workload;
  /** The request every variant answers in the bench: its params, and the exact `/run` answer. */
  expected: { params: Record<string, unknown>; answer: string };
  /** Its action's name in `manifest.yaml`, when it is deployed from there. */
  deploy?: string;
}

export type Workload = 'reverse-string' | 'reverse-web';

const TEXT = 'hello world';
const REVERSED = 'dlrow olleh';

/** reverse-string takes `{"payload": …}` and answers `{"reversed": …}`. */
const REVERSE_STRING = {
  params: { payload: TEXT },
  answer: JSON.stringify({ reversed: REVERSED }),
};

/**
 * The web examples' JSON endpoint as the controller invokes it for `GET /api/reverse?text=…`:
 * the app answers `application/json`, so the body is base64 in the result (docs/web-actions.md).
 */
const REVERSE_WEB = {
  params: {
    __ow_method: 'get',
    __ow_headers: { host: 'bench' },
    __ow_path: '/api/reverse',
    text: TEXT,
  },
  answer: JSON.stringify({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ reversed: REVERSED })).toString('base64'),
  }),
};

interface Declared {
  name: string;
  action: string;
  style: Style;
  image: string;
  workload: Workload;
  deploy?: string;
}

const EXPECTED: Record<Workload, Variant['expected']> = {
  'reverse-string': REVERSE_STRING,
  'reverse-web': REVERSE_WEB,
};

/** Everything else follows from the style and the workload: base image, artifact, process command, answer. */
function variant({ name, action, style, image, workload, deploy }: Declared): Variant {
  const kind = kindOf(style);
  const dir = join(REPO_ROOT, 'actions', action);
  const baseImage =
    kind !== 'native' ? PROXY_IMAGES[kind] : style === 'ts-native' ? NODE_BASE_IMAGE : null;
  return {
    name,
    action,
    package: `@owkit/${action}`,
    style,
    kind,
    image,
    baseImage,
    artifact: join(dir, artifactOf(style)),
    process: processCommand(style, dir),
    workload,
    expected: EXPECTED[workload],
    ...(deploy === undefined ? {} : { deploy }),
  };
}

/** Every variant; a new one is one entry (and its action's `image` script tags its image). */
const DECLARED: readonly Declared[] = [
  {
    name: 'ts-native',
    action: 'reverse-string',
    style: 'ts-native',
    image: 'owkit/reverse-string:ts-native',
    workload: 'reverse-string',
    deploy: 'reverse-ts-native',
  },
  {
    name: 'go-native',
    action: 'reverse-string-go',
    style: 'go-native',
    image: 'owkit/reverse-string:go-native',
    workload: 'reverse-string',
    deploy: 'reverse-go-native',
  },
  {
    name: 'go-blackbox',
    action: 'reverse-string-go',
    style: 'go-blackbox',
    image: 'owkit/reverse-string:go-blackbox',
    workload: 'reverse-string',
    deploy: 'reverse-go-blackbox',
  },
  {
    name: 'go-actionloop',
    action: 'reverse-string-go',
    style: 'go-actionloop',
    image: 'owkit/reverse-string:go-actionloop',
    workload: 'reverse-string',
    deploy: 'reverse-go-actionloop',
  },
  {
    name: 'web-ts-native',
    action: 'reverse-web',
    style: 'ts-native',
    image: 'owkit/reverse-web:ts-native',
    workload: 'reverse-web',
  },
  {
    name: 'web-go-native',
    action: 'reverse-web-go',
    style: 'go-native',
    image: 'owkit/reverse-web:go-native',
    workload: 'reverse-web',
  },
];

export const VARIANTS: readonly Variant[] = DECLARED.map(variant);

export function variantNamed(name: string): Variant {
  const found = VARIANTS.find((candidate) => candidate.name === name);
  if (found === undefined) {
    throw new Error(`no variant named ${name}: one of ${VARIANTS.map((v) => v.name).join(', ')}`);
  }
  return found;
}
