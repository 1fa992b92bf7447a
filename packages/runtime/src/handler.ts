/** Params an action receives: the `value` of the `/run` request, an object or an array. */
export type Params = Record<string, unknown> | unknown[];

/** What a handler may return: an object or array is the result; nothing means `{}`. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets a handler with no return statement type-check.
export type ActionResult = Record<string, unknown> | readonly unknown[] | undefined | void;

/** Facts about one activation. Under concurrency this, not process.env, is the reliable source. */
export interface Context {
  activationId: string;
  actionName: string;
  actionVersion: string;
  namespace: string;
  transactionId: string;
  /** Present only when the action was created with an API key. */
  apiKey?: string;
  /** Epoch milliseconds when the platform will stop waiting; Infinity when none was sent. */
  deadline: number;
  /** Aborts when the deadline passes, so slow work can stop early. */
  signal: AbortSignal;
}

export type Handler<P = Record<string, unknown>> = (
  params: P,
  ctx: Context,
) => ActionResult | Promise<ActionResult>;

/** Runs once, after `/init` has applied its `env`, before the first activation is served. */
export type InitHook = () => void | Promise<void>;
