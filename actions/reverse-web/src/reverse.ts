/**
 * The reverse-string action's rule: reverse by Unicode code point (grapheme clusters are not
 * kept together), lone UTF-16 surrogates first replaced by U+FFFD, as Go's []rune reversal of
 * decoded JSON does.
 */
export function reverseText(text: string): string {
  return Array.from(text.toWellFormed()).reverse().join('');
}
