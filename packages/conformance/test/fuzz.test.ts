import { readFileSync, writeFileSync } from 'node:fs';
import { runBody } from '@owkit/runtime/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_STATUSES, type Answer, framingProblems, send } from '../src/client.js';
import { type FuzzRegression, type FuzzRequest, fuzzRequest } from '../src/fuzz.js';
import { isAlive } from '../src/procfs.js';
import { expectedBody } from '../src/reverse-string.js';
import { type Server, startVariant } from '../src/servers.js';
import { type Variant, variants } from '../src/variants.js';

const RUNS = Number(process.env.OWKIT_FUZZ_RUNS ?? 200);
const FRESH_INIT_RUNS = Number(process.env.OWKIT_FUZZ_INIT_RUNS ?? 8);
const SEED = Number(process.env.OWKIT_FUZZ_SEED ?? Date.now() % 2 ** 31);
const regressionsFile = new URL('./fuzz-regressions.json', import.meta.url);

const regressions = (): FuzzRegression[] =>
  JSON.parse(readFileSync(regressionsFile, 'utf8')) as FuzzRegression[];

/** The properties every answer to anything must have; a description of the first one broken. */
function brokenProperty(
  server: Server,
  request: FuzzRequest,
  answer: Answer | Error | 'unsendable',
): string | undefined {
  if (answer === 'unsendable') return undefined;
  if (answer instanceof Error) return `no answer: ${answer.message}`;
  if (!ALLOWED_STATUSES.has(answer.status)) return `status ${answer.status}`;
  const problems = framingProblems(answer);
  if (problems.length > 0) return problems.join('; ');
  if (!isAlive(server.pid)) return `server died after ${request.method} ${request.path}`;
  return undefined;
}

/** A request Node's own client refuses to send (a path with raw spaces, say) tests nothing. */
const UNSENDABLE = new Set([
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
]);

async function sendFuzz(
  server: Server,
  request: FuzzRequest,
): Promise<Answer | Error | 'unsendable'> {
  try {
    return await send(server.url, request.path, {
      method: request.method,
      body: request.body,
      timeoutMs: 5_000,
    });
  } catch (error) {
    if (UNSENDABLE.has((error as NodeJS.ErrnoException).code ?? '')) return 'unsendable';
    return error as Error;
  }
}

function keep(
  server: Server,
  seed: number,
  failure: string,
  freshServer: boolean,
  requests: readonly FuzzRequest[],
): void {
  const kept = regressions();
  kept.push({
    server: server.label,
    seed,
    failure,
    freshServer,
    requests: requests.map((r) => ({
      method: r.method,
      path: r.path,
      bodyBase64: r.body.toString('base64'),
    })),
  });
  writeFileSync(regressionsFile, `${JSON.stringify(kept, null, 2)}\n`);
}

const decode = (kept: FuzzRegression): FuzzRequest[] =>
  kept.requests.map((r) => ({
    method: r.method,
    path: r.path,
    body: Buffer.from(r.bodyBase64, 'base64'),
  }));

/** Sends the requests in order; the first broken property, or undefined. */
async function replay(
  server: Server,
  requests: readonly FuzzRequest[],
): Promise<string | undefined> {
  for (const request of requests) {
    const broken = brokenProperty(server, request, await sendFuzz(server, request));
    if (broken !== undefined) return `${request.method} ${request.path}: ${broken}`;
  }
  return undefined;
}

const RUN_AFTER_INIT: FuzzRequest = {
  method: 'POST',
  path: '/run',
  body: Buffer.from(JSON.stringify(runBody({ payload: 'x' }))),
};

async function withFresh<T>(variant: Variant, fn: (server: Server) => Promise<T>): Promise<T> {
  const fresh = await startVariant(variant, 'process');
  try {
    return await fn(fresh);
  } finally {
    await fresh.stop();
  }
}

const tally = new Map<string, number>();

describe(`fuzz (seed ${SEED}, ${RUNS} runs per server; replay with OWKIT_FUZZ_SEED=${SEED})`, () => {
  beforeAll(() => {
    console.log(`fuzz seed ${SEED}`);
  });
  afterAll(() => {
    console.log(`fuzz requests per server: ${JSON.stringify(Object.fromEntries(tally))}`);
  });

  for (const variant of variants) {
    describe(`${variant.id} · process`, () => {
      let server: Server;
      beforeAll(async () => {
        server = await startVariant(variant, 'process');
        expect((await send(server.url, '/init', { body: { value: {} } })).status).toBe(200);
      });
      afterAll(async () => {
        if (server !== undefined) expect((await server.stop()).exitCode).toBe(0);
      });

      it('kept regression cases still hold', async () => {
        const failures: string[] = [];
        for (const kept of regressions()) {
          const requests = decode(kept);
          const broken = kept.freshServer
            ? await withFresh(variant, (fresh) => replay(fresh, requests))
            : await replay(server, requests);
          if (broken !== undefined)
            failures.push(`${broken} (kept from ${kept.server}: ${kept.failure})`);
        }
        expect(failures).toEqual([]);
      });

      it('random requests: never dies, always JSON with an exact Content-Length and an allowed status', async () => {
        let sent = 0;
        const details = await fc.check(
          fc.asyncProperty(fuzzRequest, async (request) => {
            sent += 1;
            const broken = brokenProperty(server, request, await sendFuzz(server, request));
            if (broken !== undefined) throw new Error(broken);
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        tally.set(variant.id, (tally.get(variant.id) ?? 0) + sent);
        if (details.failed && details.counterexample !== null) {
          const [request] = details.counterexample;
          const failure =
            details.errorInstance instanceof Error
              ? details.errorInstance.message
              : String(details.errorInstance);
          keep(server, details.seed, failure, false, [request]);
          expect.fail(
            `seed ${details.seed}: ${request.method} ${request.path} (${request.body.length} bytes): ${failure}`,
          );
        }
        // And it still does its job.
        const answer = await send(server.url, '/run', { body: runBody({ payload: 'after fuzz' }) });
        expect(answer.body).toBe(expectedBody('after fuzz'));
      });

      it(`random first /init on ${FRESH_INIT_RUNS} fresh servers: allowed answer, then /run still answers`, async () => {
        const details = await fc.check(
          fc.asyncProperty(
            fuzzRequest.map((r) => ({ ...r, method: 'POST', path: '/init' })),
            async (request) => {
              const broken = await withFresh(variant, (fresh) =>
                replay(fresh, [request, RUN_AFTER_INIT]),
              );
              if (broken !== undefined) throw new Error(broken);
            },
          ),
          { numRuns: FRESH_INIT_RUNS, seed: SEED, endOnFailure: true },
        );
        tally.set(variant.id, (tally.get(variant.id) ?? 0) + FRESH_INIT_RUNS * 2);
        if (details.failed && details.counterexample !== null) {
          const [request] = details.counterexample;
          const failure =
            details.errorInstance instanceof Error
              ? details.errorInstance.message
              : String(details.errorInstance);
          keep(server, details.seed, failure, true, [request, RUN_AFTER_INIT]);
          expect.fail(`seed ${details.seed}: /init (${request.body.length} bytes): ${failure}`);
        }
      });
    });
  }
});
