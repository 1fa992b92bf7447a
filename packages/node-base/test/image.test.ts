import { describeWithDocker, imageBytes, imageExists } from '@owkit/testkit';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import release from '../node-release.json' with { type: 'json' };

const image = 'owkit/node-base:24';
const pinnedImage = `owkit/node-base:${release.version}`;
const SIZE_CEILING_BYTES = 130_000_000;

function runNode(script: string, extraArgs: string[] = []) {
  return execa('docker', [
    'run',
    '--rm',
    '--network',
    'host',
    ...extraArgs,
    image,
    'node',
    '-e',
    script,
  ]);
}

describeWithDocker('owkit/node-base image', () => {
  it('is tagged with the pinned version and the major, as one image', async () => {
    expect(await imageExists(image)).toBe(true);
    expect(await imageExists(pinnedImage)).toBe(true);
    const ids = await Promise.all(
      [image, pinnedImage].map(async (tag) => {
        const { stdout } = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
        return stdout;
      }),
    );
    expect(ids[0]).toBe(ids[1]);
  });

  it('runs the pinned Node version as owkit (10001:10001) in production mode', async () => {
    const { stdout } = await runNode(
      'const os = require("node:os"); console.log(JSON.stringify({ version: process.version, uid: process.getuid(), gid: process.getgid(), user: os.userInfo().username, cwd: process.cwd(), env: process.env.NODE_ENV, path: process.env.PATH }))',
    );
    expect(JSON.parse(stdout)).toEqual({
      version: `v${release.version}`,
      uid: 10001,
      gid: 10001,
      user: 'owkit',
      cwd: '/home/owkit',
      env: 'production',
      path: '/usr/local/bin',
    });
  });

  it('bounds the young generation whatever the host memory, for flat RSS under load', async () => {
    // Keeps 100k objects alive across scavenges, the pattern that makes V8 grow its new space;
    // without the image's NODE_OPTIONS it reaches 128 MiB on a 23 GiB host.
    const { stdout } = await runNode(
      'const v8 = require("node:v8"); let keep = []; for (let i = 0; i < 3e6; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 1e5) keep = []; } console.log(JSON.stringify({ newSpaceMiB: v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 2 ** 20, arenas: process.env.MALLOC_ARENA_MAX }))',
    );
    const { newSpaceMiB, arenas } = JSON.parse(stdout) as { newSpaceMiB: number; arenas: string };
    expect(newSpaceMiB).toBeLessThanOrEqual(8);
    expect(arenas).toBe('2');
  });

  it('gives the user a writable home and a sticky, world-writable /tmp', async () => {
    const { stdout } = await runNode(
      'const fs = require("node:fs"); fs.writeFileSync("/tmp/probe", "t"); fs.writeFileSync("/home/owkit/probe", "h"); console.log((fs.statSync("/tmp").mode & 0o7777).toString(8))',
    );
    expect(stdout).toBe('1777');
  });

  it('has no shell to run', async () => {
    const result = await execa(
      'docker',
      ['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'true'],
      {
        reject: false,
      },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/no such file or directory/);
  });

  it('holds node, the libraries it links, the users and nothing else', async () => {
    const { stdout: id } = await execa('docker', [
      'create',
      '--label',
      'owkit.test=1',
      image,
      'node',
    ]);
    try {
      // Only the listing is kept: the 100 MB tar streams straight from docker into tar.
      const { stdout: listing } = await execa('docker', ['export', id], { buffer: false }).pipe(
        'tar',
        ['-t'],
      );
      const files = listing
        .split('\n')
        .filter((entry) => entry !== '' && !entry.endsWith('/'))
        // The engine adds these to every container it creates.
        .filter(
          (entry) =>
            !/^(\.dockerenv|etc\/(hostname|hosts|mtab|resolv\.conf)|dev\/.*|proc\/.*|sys\/.*)$/.test(
              entry,
            ),
        )
        .sort();
      expect(files).toEqual([
        'etc/group',
        'etc/nsswitch.conf',
        'etc/passwd',
        'lib/x86_64-linux-gnu/libc.so.6',
        'lib/x86_64-linux-gnu/libdl.so.2',
        'lib/x86_64-linux-gnu/libgcc_s.so.1',
        'lib/x86_64-linux-gnu/libm.so.6',
        'lib/x86_64-linux-gnu/libpthread.so.0',
        'lib/x86_64-linux-gnu/libstdc++.so.6',
        'lib64/ld-linux-x86-64.so.2',
        'usr/local/bin/node',
        'usr/local/share/doc/node/LICENSE',
      ]);
    } finally {
      await execa('docker', ['rm', id]);
    }
  });

  it(`stays under ${SIZE_CEILING_BYTES / 1e6} MB`, async () => {
    const bytes = await imageBytes(image);
    console.log(`${image}: ${bytes} bytes (${(bytes / 1e6).toFixed(1)} MB)`);
    expect(bytes).toBeLessThanOrEqual(SIZE_CEILING_BYTES);
  });
});
