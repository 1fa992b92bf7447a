import { STYLES, type Style } from '@owkit/host/variants';

/** The four ways an owkit action can run: the manifest of variants says them once. */
export { isStyle, STYLES, type Style } from '@owkit/host/variants';

export function isGoStyle(style: Style): style is Exclude<Style, 'ts-native'> {
  return style !== 'ts-native';
}

/**
 * What `pnpm new-action --style` offers: a hello action per style, and hello web apps (a Fetch API
 * app, an http.Handler) that run as web actions on the native styles.
 */
export const TEMPLATE_STYLES = [...STYLES, 'ts-web', 'go-web'] as const;
export type TemplateStyle = (typeof TEMPLATE_STYLES)[number];

export function isTemplateStyle(text: string): text is TemplateStyle {
  return (TEMPLATE_STYLES as readonly string[]).includes(text);
}

/** The style an action made from a template runs as: a web template's is its native style. */
export function runStyleOf(template: TemplateStyle): Style {
  if (template === 'ts-web') return 'ts-native';
  if (template === 'go-web') return 'go-native';
  return template;
}

/**
 * Where `pnpm new-action` copies a style from: `templates/<style>`, a hello action whose name,
 * `template-<style>`, is replaced by the new one everywhere.
 */
export function templateOf(style: TemplateStyle): { folder: string; name: string } {
  return { folder: `templates/${style}`, name: `template-${style}` };
}
