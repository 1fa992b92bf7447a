// The Node floor: plain node:http doing the reverse-string work and nothing else, so the bench
// can tell what a runtime costs on top of the bare platform. Standard library only.
import { createServer } from 'node:http';

const SENTINEL_LINE = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n';
const writeSentinels = process.env.OWKIT_FLOOR_SENTINELS !== '0';
const port = Number(process.env.PORT ?? 8080);

function reply(response, status, body) {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
  });
  response.end(bytes);
}

function reverseByCodePoint(text) {
  // toWellFormed turns lone surrogates into U+FFFD, as Go's JSON decoder does.
  return Array.from(text.toWellFormed()).reverse().join('');
}

function run(body) {
  const payload = JSON.parse(body)?.value?.payload;
  if (typeof payload !== 'string') return { error: 'payload must be a string' };
  return { reversed: reverseByCodePoint(payload) };
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method !== 'POST') return reply(response, 405, { error: 'Method not allowed.' });
    if (request.url === '/init') return reply(response, 200, { ok: true });
    if (request.url !== '/run') return reply(response, 404, { error: 'Not found.' });
    let result;
    try {
      result = run(Buffer.concat(chunks).toString('utf8'));
    } catch {
      result = undefined;
    }
    if (result === undefined) reply(response, 400, { error: 'Request body is not valid JSON.' });
    else reply(response, 200, result);
    if (writeSentinels) {
      process.stdout.write(SENTINEL_LINE);
      process.stderr.write(SENTINEL_LINE);
    }
  });
});

server.listen(port, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
