import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { isActionName } from '../actions.js';
import { CliError, usageError } from '../errors.js';
import { goKind, isGoStyle, STYLES, type Style, TEMPLATE_ACTION } from '../styles.js';
import { pruneSource } from './prune.js';

export interface GenerateRequest {
  name: string;
  style: Style;
  /** The repo whose `actions/` hold the templates. */
  templatesRoot: string;
  /** Where `actions/<name>` is created: the same repo, or a scratch workspace in tests. */
  workspaceRoot: string;
}

export interface Generated {
  dir: string;
  /** Paths relative to `dir`, sorted. */
  files: string[];
  packageName: string;
  image: string;
}

/** Build output and installs: never copied, the new action makes its own. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'bin', '.turbo', 'coverage']);
const GO_KINDS = STYLES.filter(isGoStyle).map(goKind);
/** Scripts that every workspace package has, so turbo builds, tests and images the new one. */
export const REQUIRED_SCRIPTS = ['build', 'test', 'typecheck', 'lint', 'image'] as const;

/**
 * Creates `actions/<name>` from the real action of that style: its files, renamed (package,
 * images, Go module path, README title), with only what the style needs.
 */
export async function generateAction(request: GenerateRequest): Promise<Generated> {
  const { name, style } = request;
  if (!isActionName(name)) {
    throw usageError(
      `${JSON.stringify(name)} is not a valid action name: use lowercase letters, digits and single dashes, e.g. hello-world`,
    );
  }
  const dir = join(request.workspaceRoot, 'actions', name);
  if (existsSync(dir)) {
    throw usageError(
      `actions/${name} already exists: pick another name, or remove that folder first`,
    );
  }
  const templateName = TEMPLATE_ACTION[style];
  const templateDir = join(request.templatesRoot, 'actions', templateName);
  if (!existsSync(join(templateDir, 'package.json'))) {
    throw new CliError(
      `the ${style} template actions/${templateName} is missing or has no package.json: restore it from git`,
    );
  }

  const rename = renamer(templateName, name);
  const sources = (await listFiles(templateDir)).filter((file) => belongsToStyle(file, style));
  const outputs = new Map<string, { content: Buffer | string; mode: number }>();
  for (const file of sources) {
    const source = join(templateDir, file);
    const { mode } = await stat(source);
    const raw = await readFile(source);
    // Pruned before renaming: a new name must not be mistaken for a style (`cargo-blackbox`).
    const content = isText(raw)
      ? withOrigin(file, rename(prune(file, raw.toString('utf8'), style)), style, name)
      : raw;
    outputs.set(file, { content, mode });
  }
  const pkg = outputs.get('package.json');
  if (pkg === undefined) throw new CliError(`actions/${templateName} has no package.json`);
  checkScripts(String(pkg.content), templateName);

  for (const [file, { content, mode }] of outputs) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    await chmod(target, mode & 0o777);
  }
  await formatGenerated(dir, request.templatesRoot, style);
  return {
    dir,
    files: [...outputs.keys()].sort(),
    packageName: `@owkit/${name}`,
    image: `owkit/${name}:${style}`,
  };
}

/**
 * Text renames, most specific first: the Go template's folder name (in its module path) before
 * the plain action name (package, images, README).
 */
function renamer(templateName: string, name: string): (text: string) => string {
  const names = [templateName];
  if (templateName.endsWith('-go')) names.push(templateName.slice(0, -'-go'.length));
  // One pass, so a new name that contains the old one is not renamed twice.
  const pattern = new RegExp(names.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether a template file is needed by `style`: for the Go styles, a path that names another
 * style's entry point (`cmd/blackbox/…`, `Dockerfile.native`, `test/actionloop.test.ts`) is not.
 */
export function belongsToStyle(file: string, style: Style): boolean {
  if (!isGoStyle(style)) return true;
  const kind = goKind(style);
  const tokens = file.split(/[/.\-_]/);
  return !GO_KINDS.some((other) => other !== kind && tokens.includes(other));
}

/** A Go style keeps only what its own entry point needs. */
function prune(file: string, text: string, style: Style): string {
  return isGoStyle(style) ? pruneSource(file, text, goKind(style)) : text;
}

/**
 * Pruning can leave code that is valid but not formatted as the repo's linters want (an import
 * list that now fits on one line): the repo's own formatters put it right.
 */
async function formatGenerated(dir: string, templatesRoot: string, style: Style): Promise<void> {
  const biome = join(templatesRoot, 'node_modules', '.bin', 'biome');
  if (existsSync(biome)) {
    const config = `--config-path=${join(templatesRoot, 'biome.json')}`;
    await execa(biome, ['format', '--write', config, '--vcs-enabled=false', '.'], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
    });
  }
  if (isGoStyle(style)) {
    await execa('gofmt', ['-w', '.'], { cwd: dir, reject: false, stdin: 'ignore' }).catch(() => {
      // No gofmt on PATH: the build needs Go anyway and will say so.
    });
  }
}

/** The README says where the action came from and what to change first. */
function withOrigin(file: string, readme: string, style: Style, name: string): string {
  if (file !== 'README.md') return readme;
  const note = `> Created with \`pnpm new-action ${name} --style ${style}\` from \`actions/${TEMPLATE_ACTION[style]}\`. The logic is still its example (reversing \`payload\`): change it and its tests, keep the rest.`;
  const lines = readme.split('\n');
  const title = lines.findIndex((line) => line.startsWith('# '));
  lines.splice(title + 1, 0, '', note);
  return lines.join('\n');
}

function checkScripts(packageJson: string, templateName: string): void {
  const scripts = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts ?? {};
  const missing = REQUIRED_SCRIPTS.filter((script) => scripts[script] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `actions/${templateName}/package.json lacks the script(s) ${missing.join(', ')} turbo needs: add them to the template first`,
    );
  }
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...(await listFiles(root, full)));
    } else if (entry.isFile() && !entry.name.endsWith('.tsbuildinfo')) {
      files.push(relative(root, full));
    }
  }
  return files;
}

function isText(content: Buffer): boolean {
  return !content.subarray(0, 8_000).includes(0);
}
