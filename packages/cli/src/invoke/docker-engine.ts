import { execa } from 'execa';

/** How long a healthy engine may take to answer `docker version`. */
const ANSWER_MS = 10_000;

/**
 * Why no Docker engine can be used from here, as one line that says what to do; undefined when
 * one answers. Asked before anything is built, so a missing engine is named at once.
 */
export async function dockerEngineProblem(): Promise<string | undefined> {
  const result = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
    reject: false,
    stdin: 'ignore',
    timeout: ANSWER_MS,
  });
  if (result.exitCode === 0) return undefined;
  if (result.timedOut) {
    return `the Docker engine did not answer within ${ANSWER_MS / 1000} s (docker version): check that dockerd is healthy`;
  }
  if (result.exitCode === undefined) {
    return 'the docker command is not installed: install Docker (Debian: apt-get install docker.io)';
  }
  if (/permission denied/i.test(result.stderr)) {
    return (await inDockerGroupFile())
      ? 'permission denied on the Docker socket: you were added to the docker group after logging in; log out and back in (or run newgrp docker)'
      : 'permission denied on the Docker socket: add yourself to the docker group (sudo usermod -aG docker $USER), then log out and back in';
  }
  const reason = result.stderr.trim().split('\n').at(-1) ?? '';
  return `no Docker engine answers (${reason}): start one (sudo dockerd, or see .ci/run)`;
}

/** Whether /etc/group lists this user in `docker`, though the running session may not have it. */
async function inDockerGroupFile(): Promise<boolean> {
  const user = process.env.USER ?? process.env.LOGNAME;
  if (user === undefined) return false;
  const result = await execa('getent', ['group', 'docker'], { reject: false, stdin: 'ignore' });
  const members = result.stdout.trim().split(':')[3] ?? '';
  return members.split(',').includes(user);
}
