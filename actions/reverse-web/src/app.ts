/**
 * The web app, written against the Fetch API only: it would run as it is on any server that
 * speaks `(Request) => Response`. src/action.ts serves it as an OpenWhisk web action.
 */
import { page } from './page.js';
import { stripPng } from './png.js';
import { reverseText } from './reverse.js';

const DEFAULT_TEXT = 'hello, world';

export async function app(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const route = `${request.method} ${url.pathname}`;
  console.log(route); // one log line per activation: pnpm dev prints it under its request
  switch (route) {
    case 'GET /':
      return html(page(DEFAULT_TEXT, undefined));
    case 'POST /reverse': {
      const text = (await request.formData()).get('text');
      if (typeof text !== 'string') return html(page('', undefined), 400);
      return html(page(text, reverseText(text)));
    }
    case 'GET /api/reverse':
      return reversed(url.searchParams.get('text'));
    case 'POST /api/reverse': {
      const body: unknown = await request.json().catch(() => undefined);
      const text =
        typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
      return reversed(text);
    }
    case 'GET /image.png':
      return new Response(stripPng(url.searchParams.get('text') ?? DEFAULT_TEXT), {
        headers: { 'content-type': 'image/png', 'cache-control': 'no-store' },
      });
  }
  const known = ['/', '/reverse', '/api/reverse', '/image.png'].includes(url.pathname);
  return known
    ? new Response('Method Not Allowed', { status: 405 })
    : new Response('Not Found', { status: 404 });
}

function reversed(text: unknown): Response {
  if (typeof text !== 'string')
    return Response.json({ error: 'text must be a string' }, { status: 400 });
  return Response.json({ reversed: reverseText(text) });
}

function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
