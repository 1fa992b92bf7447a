/** The first word of every answer: change it, and the tests follow. */
export const GREETING = 'hello';

/**
 * The web app, on the Fetch API only: `GET /?name=Ada` answers a page, `GET /api/greet?name=Ada`
 * answers `{"greeting":"hello, Ada"}`. Hono or any router that exposes `app.fetch` fits here too.
 */
export function app(request: Request): Response {
  const url = new URL(request.url);
  const name = url.searchParams.get('name') ?? 'world';
  if (request.method !== 'GET') return new Response('Method Not Allowed', { status: 405 });
  if (url.pathname === '/') {
    const page = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${GREETING}</title></head>\n<body><h1>${GREETING}, ${escapeHtml(name)}</h1></body></html>\n`;
    return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  if (url.pathname === '/api/greet') return Response.json({ greeting: `${GREETING}, ${name}` });
  return new Response('Not Found', { status: 404 });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
