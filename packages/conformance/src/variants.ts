import { PROXY_IMAGES, REPO_ROOT, type ServerKind, VARIANTS } from '@owkit/host/variants';

export type { ServerKind };
/** How the suite starts it: the local binary or bundle, or the image. */
export type StartMode = 'process' | 'image';

export const repoRoot = REPO_ROOT;
export const proxyBundle = `${repoRoot}packages/sdk-proxy/dist/owkit-proxy.mjs`;

/** The proxy base images: a stub /action/exec, busybox sh, so shell-script code can be sent at /init. */
export const proxyBaseImages = PROXY_IMAGES;

export interface Variant {
  /** Column name in the matrix, e.g. `go-blackbox`. */
  id: string;
  /** The action it serves; its expected results come from `reverse-string.ts`. */
  action: 'reverse-string';
  kind: ServerKind;
  /**
   * Natives: the command that serves (absolute paths). Proxies: the executable the proxy runs.
   */
  local: readonly string[];
  image: string;
}

/**
 * Every variant under test: the reverse-string ones of the manifest of variants
 * (`@owkit/host/variants`), where a new one is added.
 */
export const variants: readonly Variant[] = VARIANTS.filter(
  (variant) => variant.workload === 'reverse-string',
).map((variant) => ({
  id: variant.name,
  action: 'reverse-string',
  kind: variant.kind,
  local:
    variant.kind === 'native'
      ? [variant.process.command, ...variant.process.args]
      : [variant.artifact],
  image: variant.image,
}));

export const startModes: readonly StartMode[] = ['process', 'image'];

/** The matrix column of a variant started one way, e.g. `go-native · image`. */
export function columnOf(variant: Variant, start: StartMode): string {
  return `${variant.id} · ${start}`;
}
