import type { Server } from 'node:http';
import { freePort, portInUse } from '@owkit/host/ports';
import type { Progress } from '../build.js';
import { CliError } from '../errors.js';
import { initBody, keepAliveAgent, post, runBody, withTimeout } from '../invoke/activation.js';
import { activationLogs, lastLines, settledLogs } from '../invoke/logs.js';
import { prepareAction } from '../invoke/prepare.js';
import { createGateway, type RequestEvent, type RunOutcome } from './gateway.js';
import type { DevOptions } from './options.js';

export interface DevEnvironment {
  root: string;
  progress: Progress;
  /** Where each request's line and its activation's logs go. */
  print(text: string): void;
  /** Stops the gateway and the action when aborted (Ctrl-C). */
  signal: AbortSignal;
  namespace?: string;
  /** Called once the gateway listens, with its URL. */
  onListening?(url: string): void;
}

/** How long logs may lag behind the answer before that request's logs are printed as they are. */
const LOG_SETTLE_MS = 2_000;
/** The invoker gives up a little after the deadline, not at it. */
const RUN_GRACE_MS = 1_000;

/**
 * Starts the action as `pnpm invoke` does (image, or --process), posts /init once, then serves
 * the gateway until the signal aborts; always removes what it started.
 */
export async function dev(options: DevOptions, environment: DevEnvironment): Promise<void> {
  const { root, progress, signal, print } = environment;
  const namespace = environment.namespace ?? 'guest';
  if (await portInUse(options.port)) {
    throw new CliError(`port ${options.port} is in use: pick another with --port`, { exitCode: 2 });
  }
  const { target, runner } = await prepareAction(options, { root, progress, signal });

  const agent = keepAliveAgent();
  let gateway: Server | undefined;
  try {
    const running = await runner.start({
      port: await freePort(),
      readyTimeoutMs: options.readyTimeout,
      signal,
    });
    const init = await post(
      `${running.url}/init`,
      initBody(target.name),
      withTimeout(signal, 30_000),
      agent,
    );
    if (init.status !== 200) {
      throw new CliError(
        `/init answered ${init.status} ${init.text}: see the action's logs below`,
        {
          detail: `last log lines:\n${lastLines(await running.logs(), 15) || '  (none)'}`,
        },
      );
    }
    let activations = 0;
    const context = { namespace, actionName: target.name, timeoutMs: options.timeout };
    const run = async (params: Record<string, unknown>): Promise<RunOutcome> => {
      const body = runBody(params, context);
      const activationId = body.activation_id as string;
      activations += 1;
      try {
        const exchange = await post(
          `${running.url}/run`,
          body,
          withTimeout(signal, options.timeout + RUN_GRACE_MS),
          agent,
        );
        // The invoker stops waiting at the time limit: a later answer is a timeout all the same.
        if (exchange.ms > options.timeout)
          return { activationId, status: undefined, result: undefined };
        return { activationId, status: exchange.status, result: exchange.body };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        print(
          `  (no answer from the action: ${error instanceof Error ? error.message : String(error)})`,
        );
        return { activationId, status: undefined, result: undefined };
      }
    };
    const onRequest = async (event: RequestEvent) => {
      print(describeRequest(event, options.timeout));
      if (event.activation === undefined) return;
      const { lines } = await settledLogs(() => running.logs(), activations, LOG_SETTLE_MS, signal);
      for (const line of activationLogs(lines, activations - 1)) {
        print(`    ${line.stream === 'stderr' ? 'stderr' : 'stdout'}: ${line.text}`);
      }
    };
    gateway = createGateway({ raw: options.raw, run, onRequest });
    const listening = gateway;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(options.port, '127.0.0.1', () => resolve());
    });
    const url = `http://127.0.0.1:${options.port}/`;
    progress(
      `${target.name} (${target.style?.style ?? target.image}, --web ${options.raw ? 'raw' : 'true'}) on ${url} — ${running.command}; Ctrl-C stops it`,
    );
    environment.onListening?.(url);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    agent.destroy();
    if (gateway !== undefined) {
      const closing = gateway;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
    await runner.stop();
  }
}

function describeRequest(event: RequestEvent, timeoutMs: number): string {
  const head = `${event.method} ${event.url} → ${event.status} (${event.ms.toFixed(0)} ms)`;
  const { activation } = event;
  if (activation === undefined) return `${head}, answered by the gateway`;
  const outcome =
    activation.status === undefined
      ? `no answer within the time limit of ${timeoutMs} ms`
      : `/run ${activation.status}`;
  return `${head}, activation ${activation.activationId}: ${outcome}`;
}
