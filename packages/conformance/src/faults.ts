/**
 * Misbehaving actions for the fault-injection tests: one shell script per proxy mode that picks
 * its misbehaviour from the activation's action name (`/guest/fault-<name>`), so one proxy
 * serves every fault in turn and the tests can check it recovers from each. They use sleep, head,
 * tr and setsid besides shell built-ins: the host's coreutils and util-linux, or the proxy
 * images' busybox.
 */
import { MESSAGES } from '@owkit/protocol';
import type { ProxyKind } from './scripts.js';

export const FLOOD_BYTES = 100_000_000;

export interface Fault {
  name: string;
  /** What it does, for the report. */
  does: string;
  /** The documented answer. */
  status: number;
  body: string | RegExp;
  /** Deadline of the activation, ms ahead. */
  deadlineMs?: number;
  /** Params; 1 MB+ for the fault that never reads them. */
  params?: Record<string, unknown>;
}

const error = (message: string) => JSON.stringify({ error: message });
const tooLarge = (stream: string) =>
  new RegExp(
    `^\\{"error":"The action's output was too large: more than \\d+ bytes on ${stream}\\."\\}$`,
  );

export const faultsByKind: Record<ProxyKind, readonly Fault[]> = {
  blackbox: [
    {
      name: 'crash',
      does: 'exits 3 with no output',
      status: 502,
      body: error(MESSAGES.notDictionaryResult),
    },
    {
      name: 'hang',
      does: 'sleeps past a deadline 300 ms ahead',
      status: 502,
      body: error(MESSAGES.deadlineExceeded),
      deadlineMs: 300,
    },
    {
      name: 'grandchild',
      does: 'leaves a background sleep holding stdout, answers, exits',
      status: 200,
      body: '{"ok":"grandchild"}',
    },
    {
      name: 'setsid',
      does: 'double-forks a sleep into a session of its own (setsid), answers, exits',
      status: 200,
      body: '{"ok":"setsid"}',
    },
    {
      name: 'flood',
      does: `writes ${FLOOD_BYTES} bytes to stdout`,
      status: 502,
      body: tooLarge('stdout'),
    },
    {
      name: 'flood-stderr',
      does: `writes ${FLOOD_BYTES} bytes to stderr`,
      status: 502,
      body: tooLarge('stderr'),
    },
    {
      name: 'invalid-utf8',
      does: 'answers a line holding bytes 0xFF 0xFE',
      status: 200,
      body: '{"s":"\ufffd\ufffdok"}',
    },
    {
      name: 'close-stdout',
      does: 'closes stdout, then exits 0',
      status: 502,
      body: error(MESSAGES.notDictionaryResult),
    },
    {
      name: 'ignore-stdin',
      does: 'answers and exits without reading 1 MB+ of params on stdin',
      status: 200,
      body: '{"early":true}',
      params: { big: 'x'.repeat(1_100_000) },
    },
    {
      name: 'ignore-sigterm',
      does: "traps SIGTERM ('') and sleeps past the deadline",
      status: 502,
      body: error(MESSAGES.deadlineExceeded),
      deadlineMs: 300,
    },
  ],
  actionloop: [
    {
      name: 'crash',
      does: 'exits 3 mid-activation',
      status: 502,
      body: error(MESSAGES.processExited),
    },
    {
      name: 'hang',
      does: 'never answers; deadline 300 ms ahead',
      status: 502,
      body: error(MESSAGES.deadlineExceeded),
      deadlineMs: 300,
    },
    {
      name: 'grandchild',
      does: 'forks a sleep holding stdout and fd 3, then exits',
      status: 502,
      body: error(MESSAGES.processExited),
    },
    {
      name: 'setsid',
      does: 'double-forks a sleep into a session of its own (setsid), then exits',
      status: 502,
      body: error(MESSAGES.processExited),
    },
    {
      name: 'flood',
      does: `writes ${FLOOD_BYTES} bytes to stdout`,
      status: 502,
      body: tooLarge('stdout'),
    },
    {
      name: 'flood-result',
      does: `writes ${FLOOD_BYTES} bytes to fd 3 with no newline`,
      status: 502,
      body: tooLarge('result'),
    },
    {
      name: 'invalid-utf8',
      does: 'answers a line holding bytes 0xFF 0xFE',
      status: 200,
      body: '{"s":"\ufffd\ufffdok"}',
    },
    {
      name: 'close-stdout',
      does: 'closes its stdout, then answers',
      status: 200,
      body: '{"ok":"stdout closed"}',
    },
    {
      name: 'close-fd3',
      does: 'closes fd 3, then exits',
      status: 502,
      body: error(MESSAGES.processExited),
    },
    {
      name: 'ignore-sigterm',
      does: "traps SIGTERM ('') and never answers; deadline 300 ms ahead",
      status: 502,
      body: error(MESSAGES.deadlineExceeded),
      deadlineMs: 300,
    },
  ],
};

const FLOOD = `head -c ${FLOOD_BYTES} /dev/zero | tr '\\0' a`;

export function faultScript(kind: ProxyKind): string {
  if (kind === 'blackbox') {
    return `#!/bin/sh
case "$__OW_ACTION_NAME" in
  */fault-crash) exit 3 ;;
  */fault-hang) sleep 30 ;;
  */fault-grandchild) sleep 30 & echo '{"ok":"grandchild"}' ;;
  */fault-setsid) (setsid sleep 30 >/dev/null 2>&1 </dev/null &); echo '{"ok":"setsid"}' ;;
  */fault-flood) ${FLOOD} ;;
  */fault-flood-stderr) ${FLOOD} >&2; echo '{"ok":true}' ;;
  */fault-invalid-utf8) printf '{"s":"\\377\\376ok"}\\n' ;;
  */fault-close-stdout) exec >&-; sleep 0.1; exit 0 ;;
  */fault-ignore-stdin) echo '{"early":true}' ;;
  */fault-ignore-sigterm) trap '' TERM; sleep 30 ;;
  *) echo '{"ok":true}' ;;
esac
`;
  }
  return `#!/bin/sh
while IFS= read -r input; do
  case "$input" in
    *'"/guest/fault-crash"'*) exit 3 ;;
    *'"/guest/fault-hang"'*) IFS= read -r never ;;
    *'"/guest/fault-grandchild"'*) sleep 30 & exit 0 ;;
    *'"/guest/fault-setsid"'*) (setsid sleep 30 >/dev/null 2>&1 </dev/null &); exit 0 ;;
    *'"/guest/fault-flood"'*) ${FLOOD}; echo '{"ok":true}' >&3 ;;
    *'"/guest/fault-flood-result"'*) ${FLOOD} >&3 ;;
    *'"/guest/fault-invalid-utf8"'*) printf '{"s":"\\377\\376ok"}\\n' >&3 ;;
    *'"/guest/fault-close-stdout"'*) exec >&-; echo '{"ok":"stdout closed"}' >&3 ;;
    *'"/guest/fault-close-fd3"'*) exec 3>&-; exit 0 ;;
    *'"/guest/fault-ignore-sigterm"'*) trap '' TERM; IFS= read -r never ;;
    *) echo '{"ok":true}' >&3 ;;
  esac
done
`;
}
