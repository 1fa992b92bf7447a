/**
 * Shell-script actions sent as `/init` code to the proxies. They only use what busybox sh has
 * built in (read, printf, echo, case), so they run on the host and in the proxy base images.
 *
 * One script serves many cases: it picks its behaviour from `"mode":"<name>"` in its input, so a
 * single initialised proxy covers results, logs, context, deadlines and concurrency.
 */

export type ProxyKind = 'blackbox' | 'actionloop';

/** Init env of every JSON type, and what the action must see for each (protocol §2). */
export const initEnv = {
  S: 'plain text',
  N: 42,
  F: 1.5,
  B: true,
  Z: null,
  O: { a: 1, b: [true, null] },
  A: [1, 'x'],
} as const;

export const expectedEnvEcho = {
  s: 'plain text',
  n: 42,
  f: 1.5,
  b: true,
  z: '',
  o: { a: 1, b: [true, null] },
  a: [1, 'x'],
  // Compact JSON: the object's text length, spaces would make it longer.
  objectChars: JSON.stringify(initEnv.O).length,
};

// Values that are themselves JSON (numbers, booleans, objects) are pasted in unquoted: a wrong
// conversion (`[object Object]`, `1.50`) makes the line invalid or different, and the case fails.
const envEcho =
  'emitf \'{"s":"%s","n":%s,"f":%s,"b":%s,"z":"%s","o":%s,"a":%s,"objectChars":%d}\\n\' ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter length, not JS
  '"$S" "$N" "$F" "$B" "$Z" "$O" "$A" "${#O}"';

const contextEcho =
  'printf \'{"activation_id":"%s","namespace":"%s","action_name":"%s","action_version":"%s",' +
  '"transaction_id":"%s","deadline":"%s","api_key":"%s","api_host":"%s"}\\n\' ' +
  '"$__OW_ACTIVATION_ID" "$__OW_NAMESPACE" "$__OW_ACTION_NAME" "$__OW_ACTION_VERSION" ' +
  '"$__OW_TRANSACTION_ID" "$__OW_DEADLINE" "$__OW_API_KEY" "$__OW_API_HOST"';

/** Cases shared by both kinds: `mode` → shell commands writing the result with `emit`. */
function sharedModes(hang: string): string {
  return [
    `*'"mode":"scalar"'*) emit 42 ;;`,
    `*'"mode":"null"'*) emit null ;;`,
    `*'"mode":"string"'*) emit '"a string"' ;;`,
    `*'"mode":"text"'*) emit 'this is not json' ;;`,
    `*'"mode":"nothing"'*) emit '' ;;`,
    `*'"mode":"app-error"'*) emit '{"error":"boom"}' ;;`,
    `*'"mode":"env"'*) ${envEcho} ;;`,
    `*'"mode":"hang"'*) ${hang} ;;`,
    `*'"mode":"logs"'*) echo 'first log line'; echo 'second log line'; echo 'to stderr' >&2; emit '{"last":true}' ;;`,
  ].join('\n    ');
}

/**
 * Blackbox: params arrive on stdin (always) and as argv[1] (when at most 131071 bytes); the last
 * stdout line is the result. `hang` waits on a command that never returns unless killed.
 */
export function blackboxScript(hangCommand: string): string {
  return `#!/bin/sh
emit() { printf '%s\\n' "$1"; }
emitf() { printf "$@"; }
IFS= read -r input || true
case "$input" in
    ${sharedModes(hangCommand)}
    *'"mode":"context"'*) ${contextEcho} ;;
    *'"mode":"unterminated"'*) echo 'a log line'; printf 'unterminated stderr' >&2; printf '{"ok":true}' ;;
    *'"mode":"sizes"'*) printf '{"argc":%d,"argvChars":%d,"stdinChars":%d,"same":%s}\\n' "$#" "\${#1}" "\${#input}" "$([ "\${1-}" = "$input" ] && echo true || echo false)" ;;
    *) emit "$input" ;;
esac
`;
}

/**
 * Actionloop: one JSON line per activation on stdin, one result line on fd 3. The line holds
 * `value` and every metadata key, so `context` echoes the line itself.
 */
export function loopScript(): string {
  return `#!/bin/sh
emit() { printf '%s\\n' "$1" >&3; }
emitf() { printf "$@" >&3; }
while IFS= read -r input; do
  case "$input" in
    ${sharedModes('IFS= read -r never')}
    *'"mode":"context"'*) printf '{"line":%s,"api_host":"%s"}\\n' "$input" "$__OW_API_HOST" >&3 ;;
    *'"mode":"unterminated"'*) printf 'unterminated stdout'; printf 'unterminated stderr' >&2; emit '{"ok":true}' ;;
    *'"mode":"sizes"'*) printf '{"lineChars":%d}\\n' "\${#input}" >&3 ;;
    *) printf '{"line":%s}\\n' "$input" >&3 ;;
  esac
done
`;
}

export function modeScript(kind: ProxyKind, hangCommand: string): string {
  return kind === 'blackbox' ? blackboxScript(hangCommand) : loopScript();
}

/** A script that answers one fixed result line. */
export function constantScript(kind: ProxyKind, resultLine: string): string {
  const quoted = `'${resultLine.replaceAll("'", `'"'"'`)}'`;
  if (kind === 'blackbox') return `#!/bin/sh\nprintf '%s\\n' ${quoted}\n`;
  return `#!/bin/sh\nwhile IFS= read -r input; do printf '%s\\n' ${quoted} >&3; done\n`;
}

/** A script that reads a line from a file next to it: proves the working directory is its folder. */
export function readsSiblingScript(kind: ProxyKind, file: string): string {
  const body = `IFS= read -r data < ./${file}; printf '{"data":"%s"}\\n' "$data"`;
  if (kind === 'blackbox') return `#!/bin/sh\n${body}\n`;
  return `#!/bin/sh\nwhile IFS= read -r input; do ${body} >&3; done\n`;
}
