import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { imageExists } from '@owkit/host/docker';
import { processCommand, proxyBundle } from '@owkit/host/variants';
import {
  type ActionInfo,
  type ActionStyle,
  describeAction,
  isActionName,
  listActions,
} from '../actions.js';
import { type Progress, runTurbo, tail } from '../build.js';
import { CliError, usageError } from '../errors.js';
import type { Style } from '../styles.js';

/** What `pnpm invoke` runs: an action folder's style, or an image no folder declares. */
export interface Target {
  /** The action's name as the platform would know it (`/init` name, `action_name`). */
  name: string;
  image: string;
  action: ActionInfo | undefined;
  style: ActionStyle | undefined;
}

export async function resolveTarget(
  root: string,
  reference: string,
  style: Style | undefined,
): Promise<Target> {
  const action = isActionName(reference) ? describeAction(root, reference) : undefined;
  if (action !== undefined) {
    const chosen =
      style === undefined ? action.styles[0] : action.styles.find((s) => s.style === style);
    if (chosen === undefined) {
      throw usageError(
        `${relative(root, action.dir)} has no ${style} style: pick one of ${action.styles.map((s) => s.style).join(', ')}`,
      );
    }
    return { name: action.name, image: chosen.image, action, style: chosen };
  }
  for (const candidate of listActions(root)) {
    const declared = candidate.styles.find((s) => s.image === reference);
    if (declared !== undefined) {
      if (style !== undefined && style !== declared.style) {
        throw usageError(`${reference} is the ${declared.style} style; drop --style ${style}`);
      }
      return { name: candidate.name, image: reference, action: candidate, style: declared };
    }
  }
  if (await imageExists(reference)) {
    const name =
      reference
        .replace(/[:@].*$/, '')
        .split('/')
        .at(-1) ?? reference;
    return { name, image: reference, action: undefined, style: undefined };
  }
  const known =
    listActions(root)
      .map((a) => a.name)
      .join(', ') || '(no actions yet)';
  if (/[/:@]/.test(reference)) {
    throw usageError(
      `no local image ${reference}, and no action folder builds it (invoke never pulls): build or load it, or name an action folder: ${known}`,
    );
  }
  throw usageError(
    `no action folder actions/${reference} and no local image ${reference}: name one of ${known}, or an image from docker image ls`,
  );
}

/** Builds the image when it is missing (or when asked), through turbo so base images come first. */
export async function ensureImage(
  root: string,
  target: Target,
  rebuild: boolean,
  progress: Progress,
  signal?: AbortSignal,
): Promise<void> {
  if (!rebuild && (await imageExists(target.image))) return;
  if (target.action === undefined) {
    throw new CliError(
      `${target.image} is not on this machine and invoke never pulls: build or load it first`,
    );
  }
  progress(
    `building ${target.image} and what it needs (turbo run image --filter=${target.action.packageName}); the first time takes a minute …`,
  );
  const output = await runTurbo(root, 'image', target.action.packageName, progress, signal);
  if (!(await imageExists(target.image))) {
    throw new CliError(
      `turbo ran the image script of ${target.action.packageName}, but no image ${target.image} exists: see its output below, and check that the script tags it so`,
      { detail: tail(output, 15) },
    );
  }
}

export interface LocalCommand {
  command: string;
  args: string[];
  cwd: string;
}

/** The process `--process` starts for a style, as the manifest of variants runs its own. */
export function localCommand(root: string, action: ActionInfo, style: ActionStyle): LocalCommand {
  return { ...processCommand(style.style, action.dir, root), cwd: action.dir };
}

/** Builds the bundle or binary (and the proxy) when missing, or when asked. */
export async function ensureLocalBuild(
  root: string,
  target: Target,
  rebuild: boolean,
  progress: Progress,
  signal?: AbortSignal,
): Promise<{ action: ActionInfo; style: ActionStyle }> {
  const { action, style } = target;
  if (action === undefined || style === undefined) {
    throw usageError(
      `--process runs an action folder's own build, and ${target.image} belongs to none: name the folder, or drop --process`,
    );
  }
  if (rebuild || !existsSync(style.artifact)) {
    progress(`building ${action.name} (turbo run build --filter=${action.packageName}) …`);
    await runTurbo(root, 'build', action.packageName, progress, signal);
    if (!existsSync(style.artifact)) {
      throw new CliError(
        `the build of ${action.packageName} made no ${style.artifact}: check its build script`,
      );
    }
  }
  if (style.style === 'go-blackbox' || style.style === 'go-actionloop') {
    if (!existsSync(proxyBundle(root))) {
      progress('building the proxy (turbo run build --filter=@owkit/sdk-proxy) …');
      await runTurbo(root, 'build', '@owkit/sdk-proxy', progress, signal);
    }
  }
  return { action, style };
}
