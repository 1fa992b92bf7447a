import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { goKind, STYLES, type Style } from './styles.js';

export interface ActionStyle {
  style: Style;
  image: string;
  /** What `--process` runs and what `package` zips: the bundle or the Go binary. */
  artifact: string;
}

export interface ActionInfo {
  /** Folder name under `actions/`. */
  name: string;
  dir: string;
  packageName: string;
  /** In the order of STYLES; the first is the default. */
  styles: ActionStyle[];
}

const ACTION_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isActionName(text: string): boolean {
  return ACTION_NAME.test(text) && text.length <= 64;
}

export function listActions(root: string): ActionInfo[] {
  const actionsDir = join(root, 'actions');
  if (!existsSync(actionsDir)) return [];
  return readdirSync(actionsDir)
    .sort()
    .flatMap((name) => {
      const info = describeAction(root, name);
      return info === undefined ? [] : [info];
    });
}

/** What `actions/<name>` is: its package, the styles it has and their images; undefined if none. */
export function describeAction(root: string, name: string): ActionInfo | undefined {
  if (!isActionName(name)) return undefined;
  const dir = join(root, 'actions', name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
  const packageName = typeof pkg.name === 'string' ? pkg.name : `@owkit/${name}`;
  const declared = declaredImages(dir);
  const styles = STYLES.filter((style) => hasStyle(dir, style)).map((style) => ({
    style,
    image: declared.get(style) ?? `owkit/${name}:${style}`,
    artifact: join(dir, artifactOf(style)),
  }));
  if (styles.length === 0) return undefined;
  return { name, dir, packageName, styles };
}

export function artifactOf(style: Style): string {
  return style === 'ts-native' ? join('dist', 'action.mjs') : join('bin', goKind(style));
}

function hasStyle(dir: string, style: Style): boolean {
  if (style === 'ts-native') {
    return existsSync(join(dir, 'src', 'action.ts')) && existsSync(join(dir, 'Dockerfile'));
  }
  const cmd = join(dir, 'cmd', goKind(style));
  return existsSync(cmd) && statSync(cmd).isDirectory();
}

/**
 * The image each style builds, as the action's own scripts name it (`owkit/<x>:<style>`), so the
 * CLI never keeps a second list that could drift from them.
 */
function declaredImages(dir: string): Map<Style, string> {
  const sources = [join(dir, 'package.json')];
  const scripts = join(dir, 'scripts');
  if (existsSync(scripts)) {
    for (const file of readdirSync(scripts)) {
      if (/\.(?:m?js|ts)$/.test(file)) sources.push(join(scripts, file));
    }
  }
  const images = new Map<Style, string>();
  const pattern = new RegExp(`owkit/[a-z0-9-]+:(${STYLES.join('|')})\\b`, 'g');
  for (const source of sources) {
    for (const match of readFileSync(source, 'utf8').matchAll(pattern)) {
      const style = match[1] as Style;
      if (!images.has(style)) images.set(style, match[0]);
    }
  }
  return images;
}
