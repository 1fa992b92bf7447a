/**
 * Web actions tried as a user would: `pnpm dev` serves each example, and a real headless
 * Chromium (Debian's, driven by playwright-core; never a downloaded browser) loads the page,
 * submits the form, reads the reversed text and loads the PNG.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@owkit/host/ports';
import { startProcess } from '@owkit/host/process';
import { describeWithDocker } from '@owkit/testkit';
import { execa } from 'execa';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
/** Building an example's image the first time takes a while; later runs find it built. */
const START_MS = 240_000;

interface Dev {
  url: string;
  output(): string;
  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

async function startDev(action: string, extra: string[]): Promise<Dev> {
  const port = await freePort();
  const dev = await startProcess(
    process.execPath,
    [join(CLI_BIN, 'dev.js'), action, '--port', String(port), ...extra],
    { cwd: REPO_ROOT, port, readyTimeoutMs: START_MS },
  );
  // The port alone does not say it is ready: before it starts anything, pnpm dev binds the port
  // for a moment to see that it is free, and a connection then is accepted too.
  await expect
    .poll(() => dev.stderr().includes('Ctrl-C stops it'), { timeout: START_MS, interval: 50 })
    .toBe(true);
  return {
    url: `${dev.url}/`,
    output: () => dev.stdout() + dev.stderr(),
    interrupt: () => dev.stop('SIGINT'),
  };
}

/** Run in the page: the image's decoded size once it has loaded (a broken image has none). */
const IMAGE_SIZE = `(() => {
  const img = document.querySelector('#strip');
  return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : false;
})()`;

/** The container `pnpm dev` named in its start line. */
function containerName(output: string): string | undefined {
  return /--name (owkit-invoke-[0-9a-f]+)/.exec(output)?.[1];
}

describeWithDocker('pnpm dev in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in CI has no user namespace sandbox to give Chromium.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, START_MS);
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['reverse-web', []],
    ['reverse-web', ['--raw']],
    ['reverse-web-go', []],
    ['reverse-web-go', ['--raw']],
  ])(
    '%s %j: page, form, reversed text and PNG; Ctrl-C removes the container',
    async (action, extra) => {
      const dev = await startDev(action, extra);
      const page = await browser.newPage();
      try {
        await page.goto(dev.url);
        expect(await page.title()).toBe('reverse-web');
        const firstImage = await page.waitForFunction(IMAGE_SIZE);
        expect(await firstImage.jsonValue()).toEqual([8 * Array.from('hello, world').length, 8]);

        const text = 'héllo wörld 👋 <&>';
        await page.fill('#text', text);
        await Promise.all([
          page.waitForURL(`${dev.url}reverse`),
          page.click('button[type=submit]'),
        ]);
        const reversed = Array.from(text).reverse().join('');
        expect(await page.textContent('#reversed')).toBe(reversed);
        expect(await page.inputValue('#text')).toBe(text);
        const image = await page.waitForFunction(IMAGE_SIZE);
        expect(await image.jsonValue()).toEqual([8 * Array.from(reversed).length, 8]);

        const api = await page.evaluate(async () => {
          const get = await fetch('api/reverse?text=abc');
          const post = await fetch('api/reverse', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: 'xyz' }),
          });
          return [get.status, await get.json(), post.status, await post.json()];
        });
        expect(api).toEqual([200, { reversed: 'cba' }, 200, { reversed: 'zyx' }]);
      } finally {
        await page.close();
        const code = await dev.interrupt();
        expect(code, dev.output()).toBe(0);
      }
      const output = dev.output();
      // Each request's line, followed by the log line the app wrote in that activation.
      expect(output).toMatch(
        /POST \/reverse → 200 .*activation [0-9a-f]+: \/run 200\n {4}stdout: POST \/reverse\n/,
      );
      const name = containerName(output);
      expect(name, output).toBeDefined();
      const left = await execa('docker', ['ps', '--all', '--quiet', '--filter', `name=^${name}$`]);
      expect(left.stdout).toBe('');
    },
    START_MS + 60_000,
  );
});
