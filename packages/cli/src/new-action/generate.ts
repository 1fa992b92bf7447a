import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { execa } from 'execa';
import { isActionName } from '../actions.js';
import { CliError, usageError } from '../errors.js';
import { isGoStyle, runStyleOf, type TemplateStyle, templateOf } from '../styles.js';
import { addToGoWork } from './go-work.js';

export interface GenerateRequest {
  name: string;
  style: TemplateStyle;
  /** The repo whose `templates/` hold the templates. */
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
/** Scripts that every workspace package has, so turbo builds, tests and images the new one. */
export const REQUIRED_SCRIPTS = ['build', 'test', 'typecheck', 'lint', 'image'] as const;
/** The template README's first quoted paragraph says what it is; a copy says where it came from. */
const TEMPLATE_NOTE = /^> The `[a-z-]+` template:.*\n(?:>.*\n)*/m;

/**
 * Creates `actions/<name>` from `templates/<style>`: every file copied, with the template's name
 * (package, images, module path, README, deploy lines) replaced by the new one. A Go action is
 * added to the workspace's go.work.
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
  const template = templateOf(style);
  const templateDir = join(request.templatesRoot, template.folder);
  if (!existsSync(join(templateDir, 'package.json'))) {
    throw new CliError(
      `the ${style} template ${template.folder} is missing or has no package.json: restore it from git`,
    );
  }

  // One pass, so a new name that contains the old one is not renamed twice.
  const templateNames = new RegExp(
    `${escapeRegExp(template.folder)}|${escapeRegExp(template.name)}`,
    'g',
  );
  const rename = (text: string) =>
    text.replace(templateNames, (found) => (found === template.folder ? `actions/${name}` : name));
  const outputs = new Map<string, { content: Buffer | string; mode: number }>();
  for (const file of await listFiles(templateDir)) {
    const source = join(templateDir, file);
    const { mode } = await stat(source);
    const raw = await readFile(source);
    const content = isText(raw) ? withOrigin(file, rename(raw.toString('utf8')), style, name) : raw;
    outputs.set(file, { content, mode });
  }
  const pkg = outputs.get('package.json');
  if (pkg === undefined) throw new CliError(`${template.folder} has no package.json`);
  checkScripts(String(pkg.content), template.folder);

  for (const [file, { content, mode }] of outputs) {
    const target = join(dir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
    await chmod(target, mode & 0o777);
  }
  await formatGenerated(dir, request.templatesRoot);
  if (isGoStyle(runStyleOf(style))) await addToGoWork(request.workspaceRoot, `./actions/${name}`);
  return {
    dir,
    files: [...outputs.keys()].sort(),
    packageName: `@owkit/${name}`,
    image: `owkit/${name}:${runStyleOf(style)}`,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A new name is longer or shorter than the template's, so a line may now wrap differently than
 * the linter wants: the repo's formatter puts the TypeScript and JSON right.
 */
async function formatGenerated(dir: string, templatesRoot: string): Promise<void> {
  const biome = join(templatesRoot, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return;
  const config = `--config-path=${join(templatesRoot, 'biome.json')}`;
  await execa(biome, ['format', '--write', config, '--vcs-enabled=false', '.'], {
    cwd: dir,
    reject: false,
    stdin: 'ignore',
  });
}

/** The README says where the action came from, in place of the template's note on itself. */
function withOrigin(file: string, text: string, style: TemplateStyle, name: string): string {
  if (file !== 'README.md') return text;
  const note = `> Created with \`pnpm new-action ${name} --style ${style}\` from \`${templateOf(style).folder}\`: change the handler and its test, keep the rest.\n`;
  return TEMPLATE_NOTE.test(text) ? text.replace(TEMPLATE_NOTE, note) : text;
}

function checkScripts(packageJson: string, templateFolder: string): void {
  const scripts = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts ?? {};
  const missing = REQUIRED_SCRIPTS.filter((script) => scripts[script] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `${templateFolder}/package.json lacks the script(s) ${missing.join(', ')} turbo needs: add them to the template first`,
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
