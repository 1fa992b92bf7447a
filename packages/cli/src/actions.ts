import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactOf, STYLES, type Style } from '@owkit/host/variants';

export interface ActionStyle {
  style: Style;
  image: string;
  /** What `--process` runs and what `package` zips: the bundle or the Go binary. */
  artifact: string;
}

export interface ActionInfo {
  /** The action's name: its package's name without the `@owkit/` scope. */
  name: string;
  dir: string;
  packageName: string;
  /** In the order of STYLES; the first is the default. */
  styles: ActionStyle[];
}

/** Folders whose subfolders are actions: the user's, and the templates (themselves hello actions). */
const ACTION_FOLDERS = ['actions', 'templates'] as const;
const ACTION_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isActionName(text: string): boolean {
  return ACTION_NAME.test(text) && text.length <= 64;
}

export function listActions(root: string): ActionInfo[] {
  return ACTION_FOLDERS.flatMap((folder) => {
    const parent = join(root, folder);
    if (!existsSync(parent)) return [];
    return readdirSync(parent)
      .sort()
      .flatMap((entry) => {
        const info = readAction(join(parent, entry));
        return info === undefined ? [] : [info];
      });
  });
}

/** The action called `name`: `actions/<name>`, or the template folder whose package it names. */
export function describeAction(root: string, name: string): ActionInfo | undefined {
  if (!isActionName(name)) return undefined;
  return readAction(join(root, 'actions', name)) ?? listActions(root).find((a) => a.name === name);
}

/** What the folder is: its package, the styles it has and their images; undefined if none. */
function readAction(dir: string): ActionInfo | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
  if (typeof pkg.name !== 'string') return undefined;
  const name = pkg.name.replace(/^@owkit\//, '');
  const declared = declaredImages(dir);
  const styles = STYLES.flatMap((style) => {
    const image = declared.get(style);
    return image === undefined ? [] : [{ style, image, artifact: join(dir, artifactOf(style)) }];
  });
  if (styles.length === 0) return undefined;
  return { name, dir, packageName: pkg.name, styles };
}

/**
 * The image each style builds, as the action's own scripts name it (`owkit/<x>:<style>`, in its
 * package.json's `image` script or a script file): an action has the styles its image script
 * builds, and the CLI keeps no second list that could drift from them.
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
