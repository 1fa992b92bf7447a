import { BLOCK, MAX_BLOCKS } from './png.js';

/**
 * The page: a form that posts back to `reverse`, the reversed text, and the strip of the
 * reversed text as an image. Links are relative, so the page works wherever the platform mounts
 * the action (open it with a trailing slash: …/reverse-web/).
 */
export function page(text: string, reversed: string | undefined): string {
  const shown = reversed ?? text;
  const blocks = Math.max(1, Math.min(MAX_BLOCKS, Array.from(shown).length));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>reverse-web</title></head>
<body>
<h1>Reverse a string</h1>
<form method="post" action="reverse">
<label for="text">Text</label>
<input id="text" name="text" value="${escapeHtml(text)}">
<button type="submit">Reverse</button>
</form>
<p>Reversed: <output id="reversed">${escapeHtml(reversed ?? '')}</output></p>
<p><img id="strip" alt="one square per character" width="${blocks * BLOCK}" height="${BLOCK}" src="image.png?text=${encodeURIComponent(shown)}"></p>
<p>JSON: <code>GET api/reverse?text=…</code>, or <code>POST api/reverse</code> with <code>{"text": "…"}</code>.</p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
