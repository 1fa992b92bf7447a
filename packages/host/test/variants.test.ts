import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PROXY_IMAGES,
  processCommand,
  REPO_ROOT,
  STYLES,
  VARIANTS,
  variantNamed,
} from '../src/variants.js';

describe('the manifest of variants', () => {
  it('names each variant once, each image once', () => {
    const names = VARIANTS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    const images = VARIANTS.map((v) => v.image);
    expect(new Set(images).size).toBe(images.length);
  });

  it.each(VARIANTS.map((v) => [v.name, v] as const))(
    '%s: its package exists, and its own image script tags its image',
    (_name, variant) => {
      const manifest = join(REPO_ROOT, 'actions', variant.action, 'package.json');
      expect(existsSync(manifest)).toBe(true);
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name: string;
        scripts: Record<string, string>;
      };
      expect(pkg.name).toBe(variant.package);
      expect(pkg.scripts.image).toContain(variant.image);
      expect(variant.image.endsWith(`:${variant.style}`)).toBe(true);
    },
  );

  it.each(VARIANTS.map((v) => [v.name, v] as const))(
    '%s: its Dockerfile builds on its base image (null: scratch)',
    (_name, variant) => {
      const dir = join(REPO_ROOT, 'actions', variant.action);
      const dockerfile = [`Dockerfile.${variant.style.replace(/^go-/, '')}`, 'Dockerfile']
        .map((file) => join(dir, file))
        .find((file) => existsSync(file));
      expect(dockerfile).toBeDefined();
      const text = readFileSync(dockerfile as string, 'utf8');
      const base = variant.baseImage ?? 'scratch';
      expect(/^ARG BASE_IMAGE=(\S+)$/m.exec(text)?.[1]).toBe(base);
    },
  );

  it('runs a proxied style through the proxy bundle in its mode, the others as themselves', () => {
    const dir = '/actions/a';
    expect(processCommand('ts-native', dir, '/repo')).toEqual({
      command: process.execPath,
      args: ['/actions/a/dist/action.mjs'],
    });
    expect(processCommand('go-native', dir, '/repo')).toEqual({
      command: '/actions/a/bin/native',
      args: [],
    });
    expect(processCommand('go-actionloop', dir, '/repo')).toEqual({
      command: process.execPath,
      args: [
        '/repo/packages/sdk-proxy/dist/owkit-proxy.mjs',
        '--mode',
        'actionloop',
        '--exec',
        '/actions/a/bin/actionloop',
      ],
    });
    expect(STYLES).toEqual(['ts-native', 'go-native', 'go-blackbox', 'go-actionloop']);
    expect(variantNamed('go-blackbox').baseImage).toBe(PROXY_IMAGES.blackbox);
    expect(() => variantNamed('nope')).toThrow(/no variant named nope: one of ts-native, /);
  });
});
