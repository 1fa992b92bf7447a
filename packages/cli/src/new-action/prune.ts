/**
 * Narrows a copied file of the Go template to one entry point (`native`, `blackbox` or
 * `actionloop`): code and lines that serve only the other two go, lists of all three shrink to
 * the chosen one, and imports left unused go with them. It works on gofmt/biome-formatted code,
 * which every file of the template is (lint checks that).
 */

const KINDS = ['native', 'blackbox', 'actionloop'] as const;

/** The kinds a piece of text refers to: `'blackbox'`, `go-blackbox`, `cmd/blackbox`, `Dockerfile.blackbox`, `bin/blackbox`. */
export function kindsMentioned(text: string): Set<string> {
  const found = new Set<string>();
  const pattern = /(?:cmd\/|bin\/|go-|Dockerfile\.|['"`])(native|blackbox|actionloop)\b/g;
  for (const match of text.matchAll(pattern)) found.add(match[1] as string);
  return found;
}

function onlyOthers(text: string, kind: string): boolean {
  const kinds = kindsMentioned(text);
  return kinds.size > 0 && !kinds.has(kind);
}

export function pruneSource(file: string, text: string, kind: string): string {
  if (file.endsWith('.md')) return pruneLines(text, kind, () => true);
  const isGo = file.endsWith('.go');
  if (!isGo && !/\.(?:[cm]?[jt]s)$/.test(file)) return text;
  const kept = topLevelChunks(text)
    .filter((chunk) => !onlyOthers(chunk, kind))
    .map((chunk) => shrinkLists(chunk, kind))
    .map((chunk) => pruneLines(chunk, kind, balanced));
  const pruned = kept.join('\n\n') + (text.endsWith('\n') ? '\n' : '');
  if (pruned === text) return text;
  return isGo ? dropUnusedGoImports(pruned) : dropUnusedJsImports(pruned);
}

/** Splits at blank lines outside any bracket: declarations with their doc comments. */
export function topLevelChunks(text: string): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let depth = 0;
  for (const line of text.replace(/\n+$/, '').split('\n')) {
    if (line.trim() === '' && depth === 0) {
      if (current.length > 0) chunks.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
    depth += bracketDelta(line);
  }
  if (current.length > 0) chunks.push(current.join('\n'));
  return chunks;
}

/** Opening minus closing brackets, outside string literals and line comments. */
function bracketDelta(line: string): number {
  const code = line
    .replace(/\\./g, '')
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '')
    .replace(/\/\/.*$/, '');
  let delta = 0;
  for (const char of code) {
    if (char === '{' || char === '(' || char === '[') delta++;
    else if (char === '}' || char === ')' || char === ']') delta--;
  }
  return delta;
}

function balanced(line: string): boolean {
  return bracketDelta(line) === 0;
}

/** Drops lines (a table row, a list element, a comment) that concern only the other kinds. */
function pruneLines(text: string, kind: string, droppable: (line: string) => boolean): string {
  return text
    .split('\n')
    .filter((line) => !(onlyOthers(line, kind) && droppable(line)))
    .join('\n');
}

/** `['blackbox', 'actionloop']` → `['blackbox']`: a list of kinds keeps the chosen one. */
function shrinkLists(text: string, kind: string): string {
  const item = `(['"])(?:${KINDS.join('|')})\\1`;
  const list = new RegExp(`\\[\\s*${item}(?:\\s*,\\s*${item})*\\s*,?\\s*\\]`, 'g');
  return text.replace(list, (found) => {
    const quote = found.includes('"') && !found.includes("'") ? '"' : "'";
    return found.includes(`${quote}${kind}${quote}`) ? `[${quote}${kind}${quote}]` : found;
  });
}

/** Go refuses unused imports: drop each whose package name no longer appears in the code. */
function dropUnusedGoImports(text: string): string {
  const block = /^import \(\n([\s\S]*?)\n\)/m.exec(text);
  if (block === null) return text;
  const body = text.slice(0, block.index) + text.slice(block.index + block[0].length);
  const lines = (block[1] as string).split('\n').filter((line) => {
    const spec = /^\s*(?:([\w.]+)\s+)?"([^"]+)"/.exec(line);
    if (spec === null) return true;
    const name = spec[1] ?? (spec[2] as string).split('/').at(-1) ?? '';
    if (name === '_' || name === '.') return true;
    return new RegExp(`\\b${name}\\.`).test(body);
  });
  const groups = lines
    .join('\n')
    .replace(/\n{2,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
  return `${text.slice(0, block.index)}import (\n${groups}\n)${text.slice(block.index + block[0].length)}`;
}

/** Named imports no longer used go; an import left with no names goes entirely. */
function dropUnusedJsImports(text: string): string {
  const statement = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+(['"][^'"]+['"]);?$/gm;
  const withoutImports = text.replace(/^import[\s\S]*?from\s+['"][^'"]+['"];?$/gm, '');
  return text.replace(
    statement,
    (whole, typeOnly: string | undefined, names: string, from: string) => {
      const used = names
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '')
        .filter((name) => {
          const local =
            name
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)
              .at(-1) ?? name;
          return new RegExp(`\\b${local}\\b`).test(withoutImports);
        });
      if (used.length === 0) return '';
      if (used.length === names.split(',').filter((n) => n.trim() !== '').length) return whole;
      return `import ${typeOnly ?? ''}{ ${used.join(', ')} } from ${from};`;
    },
  );
}
