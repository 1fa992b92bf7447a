import type { Agent } from 'node:http';
import { freePort, portInUse } from '@owkit/host/ports';
import type { Progress } from '../build.js';
import { CliError } from '../errors.js';
import {
  type Exchange,
  initBody,
  keepAliveAgent,
  post,
  runBody,
  succeeded,
  withTimeout,
} from './activation.js';
import { activationLogs, isSentinel, type LogLine, lastLines, settledLogs } from './logs.js';
import type { InvokeOptions } from './options.js';
import { prepareAction } from './prepare.js';
import type { RunningAction } from './runners.js';

export interface Activation {
  activationId: string;
  /** HTTP status of `/run`; undefined when it never answered (time limit, connection lost). */
  status: number | undefined;
  result: unknown;
  ok: boolean;
  ms: number;
}

export interface InvokeReport {
  name: string;
  image: string;
  style: string | undefined;
  mode: 'container' | 'process';
  command: string;
  /** `/init`'s answer; a failed init means no activation ran. */
  init: { status: number; body: unknown };
  activations: Activation[];
  /** The first activation's logs, sentinel lines left out. */
  logs: LogLine[];
  /** Whether the sentinel of every answered activation reached both streams. */
  logsComplete: boolean;
  timings: {
    /** `docker run` (or spawn) until the port accepts a connection. */
    startMs: number;
    initMs: number;
    runMs: number | undefined;
    warmRunMs: number[];
  };
  ok: boolean;
}

export interface InvokeEnvironment {
  root: string;
  progress: Progress;
  signal?: AbortSignal;
  namespace?: string;
}

/** How long logs may lag behind the answer before the report says they are incomplete. */
const LOG_SETTLE_MS = 3_000;
/** The invoker gives up a little after the deadline, not at it. */
const RUN_GRACE_MS = 1_000;

/** Runs one action as the invoker would, always removing what it started. */
export async function invoke(
  options: InvokeOptions,
  environment: InvokeEnvironment,
): Promise<InvokeReport> {
  const { root, progress, signal } = environment;
  const namespace = environment.namespace ?? 'guest';
  const { target, runner } = await prepareAction(options, {
    root,
    progress,
    ...(signal === undefined ? {} : { signal }),
  });

  const port = options.port === 0 ? await freePort() : options.port;
  if (options.port !== 0 && (await portInUse(port))) {
    throw new CliError(
      `port ${port} is in use: pick another with --port, or leave --port out for a free one`,
      { exitCode: 2 },
    );
  }

  const agent = keepAliveAgent();
  try {
    const startedAt = performance.now();
    const running = await runner.start({
      port,
      readyTimeoutMs: options.readyTimeout,
      ...(signal === undefined ? {} : { signal }),
    });
    const startMs = performance.now() - startedAt;

    const init = await post(
      `${running.url}/init`,
      initBody(target.name),
      withTimeout(signal, options.timeout + RUN_GRACE_MS),
      agent,
    ).catch(async (error: unknown) => {
      if (signal?.aborted) throw signal.reason;
      throw new CliError(`/init got no answer: ${describeCause(error)}; its logs are below`, {
        detail: `last log lines:\n${lastLines(await running.logs(), 15) || '  (none)'}`,
        cause: error,
      });
    });
    const report: InvokeReport = {
      name: target.name,
      image: target.image,
      style: target.style?.style,
      mode: options.process ? 'process' : 'container',
      command: running.command,
      init: { status: init.status, body: init.body },
      activations: [],
      logs: [],
      logsComplete: true,
      timings: { startMs, initMs: init.ms, runMs: undefined, warmRunMs: [] },
      ok: false,
    };
    if (init.status !== 200) {
      report.logs = (await running.logs()).filter((line) => !isSentinel(line));
      return report;
    }

    const context = { namespace, actionName: target.name, timeoutMs: options.timeout };
    for (let i = 0; i <= options.warm; i++) {
      const activation = await activate(running, agent, options.params, context, signal);
      report.activations.push(activation);
      if (i === 0) report.timings.runMs = activation.ms;
      else report.timings.warmRunMs.push(activation.ms);
      if (activation.status === undefined) break;
    }
    const answered = report.activations.filter((a) => a.status !== undefined).length;
    const { lines, complete } = await settledLogs(
      () => running.logs(),
      answered,
      LOG_SETTLE_MS,
      signal,
    );
    signal?.throwIfAborted();
    report.logs = activationLogs(lines, 0);
    report.logsComplete = complete;
    report.ok = report.activations.every((a) => a.ok);
    return report;
  } finally {
    agent.destroy();
    await runner.stop();
  }
}

async function activate(
  running: RunningAction,
  agent: Agent,
  params: unknown,
  context: { namespace: string; actionName: string; timeoutMs: number },
  signal: AbortSignal | undefined,
): Promise<Activation> {
  const body = runBody(params, context);
  const activationId = body.activation_id as string;
  const startedAt = performance.now();
  let exchange: Exchange;
  try {
    exchange = await post(
      `${running.url}/run`,
      body,
      withTimeout(signal, context.timeoutMs + RUN_GRACE_MS),
      agent,
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    const ms = performance.now() - startedAt;
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    const message = timedOut
      ? `The action exceeded its time limit of ${context.timeoutMs} milliseconds.`
      : `The action's server gave no answer to /run: ${describeCause(error)}.`;
    return { activationId, status: undefined, result: { error: message }, ok: false, ms };
  }
  return {
    activationId,
    status: exchange.status,
    result: exchange.body,
    ok: succeeded(exchange),
    ms: exchange.ms,
  };
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
