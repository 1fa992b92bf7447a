/** The four ways an owkit action can run, and the real action each one is copied from. */
export const STYLES = ['ts-native', 'go-native', 'go-blackbox', 'go-actionloop'] as const;
export type Style = (typeof STYLES)[number];

export function isStyle(text: string): text is Style {
  return (STYLES as readonly string[]).includes(text);
}

export const TEMPLATE_ACTION: Record<Style, string> = {
  'ts-native': 'reverse-string',
  'go-native': 'reverse-string-go',
  'go-blackbox': 'reverse-string-go',
  'go-actionloop': 'reverse-string-go',
};

export function isGoStyle(style: Style): style is Exclude<Style, 'ts-native'> {
  return style !== 'ts-native';
}

/** `go-native` → `native`: the name of its `cmd/` folder, its binary and its Dockerfile suffix. */
export function goKind(style: Exclude<Style, 'ts-native'>): string {
  return style.slice('go-'.length);
}
