/** The four ways an owkit action can run. */
export const STYLES = ['ts-native', 'go-native', 'go-blackbox', 'go-actionloop'] as const;
export type Style = (typeof STYLES)[number];

export function isStyle(text: string): text is Style {
  return (STYLES as readonly string[]).includes(text);
}

export function isGoStyle(style: Style): style is Exclude<Style, 'ts-native'> {
  return style !== 'ts-native';
}

/** `go-native` → `native`: the name of its binary in `bin/` and of its `cmd/` folder, if any. */
export function goKind(style: Exclude<Style, 'ts-native'>): string {
  return style.slice('go-'.length);
}

/**
 * Where `pnpm new-action` copies a style from: `templates/<style>`, a hello action whose name,
 * `template-<style>`, is replaced by the new one everywhere.
 */
export function templateOf(style: Style): { folder: string; name: string } {
  return { folder: `templates/${style}`, name: `template-${style}` };
}
