export {
  type HttpTimeouts,
  type LogStreams,
  MESSAGES,
  type ProtocolApp,
  type ProtocolRequest,
  type ProtocolResponse,
  type ProtocolServer,
  SENTINEL,
} from '@owkit/protocol';
export type { ActionResult, Context, Handler, InitHook, Params } from './handler.js';
export { parseOptions, type RuntimeOptions, runtimeOptionSpecs } from './options.js';
export { type ServeOptions, serve } from './serve.js';
export { createApp, createServer, type ServerOptions } from './server.js';
export {
  type FetchHandler,
  mediaTypeOf,
  toRequest,
  toResult,
  type WebBodyKind,
  type WebResult,
  web,
  webBodyKind,
} from './web.js';
