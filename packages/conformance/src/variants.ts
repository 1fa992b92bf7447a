import { fileURLToPath } from 'node:url';

/** How a server produces results; decides which protocol sections apply to it. */
export type ServerKind = 'native' | 'blackbox' | 'actionloop';
/** How the suite starts it: the local binary or bundle, or the image. */
export type StartMode = 'process' | 'image';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const proxyBundle = `${repoRoot}packages/sdk-proxy/dist/owkit-proxy.mjs`;

/** The proxy base images: a stub /action/exec, busybox sh, so shell-script code can be sent at /init. */
export const proxyBaseImages: Record<Exclude<ServerKind, 'native'>, string> = {
  blackbox: 'owkit/sdk-proxy:blackbox',
  actionloop: 'owkit/sdk-proxy:actionloop',
};

export interface Variant {
  /** Column name in the matrix, e.g. `go-blackbox`. */
  id: string;
  /** The action it serves; its expected results come from `actions.ts`. */
  action: 'reverse-string';
  kind: ServerKind;
  /**
   * Natives: the command that serves (argv, paths relative to the repo root).
   * Proxies: the executable the proxy runs.
   */
  local: readonly string[];
  image: string;
}

const native = (id: string, local: readonly string[], image: string): Variant => ({
  id,
  action: 'reverse-string',
  kind: 'native',
  local,
  image,
});
const proxied = (
  id: string,
  kind: 'blackbox' | 'actionloop',
  exec: string,
  image: string,
): Variant => ({
  id,
  action: 'reverse-string',
  kind,
  local: [exec],
  image,
});

/** Every variant under test; a new one is one line. */
export const variants: readonly Variant[] = [
  native(
    'ts-native',
    ['node', 'actions/reverse-string/dist/action.mjs'],
    'owkit/reverse-string:ts-native',
  ),
  native('go-native', ['actions/reverse-string-go/bin/native'], 'owkit/reverse-string:go-native'),
  proxied(
    'go-blackbox',
    'blackbox',
    'actions/reverse-string-go/bin/blackbox',
    'owkit/reverse-string:go-blackbox',
  ),
  proxied(
    'go-actionloop',
    'actionloop',
    'actions/reverse-string-go/bin/actionloop',
    'owkit/reverse-string:go-actionloop',
  ),
];

export const startModes: readonly StartMode[] = ['process', 'image'];

/** The matrix column of a variant started one way, e.g. `go-native · image`. */
export function columnOf(variant: Variant, start: StartMode): string {
  return `${variant.id} · ${start}`;
}
