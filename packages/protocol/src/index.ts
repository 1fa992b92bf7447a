/**
 * The HTTP side of the OpenWhisk action protocol, shared by the native runtime and the proxy:
 * they differ only in the ActionEngine that produces results. Their command lines are read by
 * `@owkit/host/command-line`, not here.
 */
export { initEnvToStrings, parseDeadline } from './environment.js';
export { isProtocolError, messageOf, ProtocolError } from './errors.js';
export {
  createHttpServer,
  DEFAULT_TIMEOUTS,
  type HttpOptions,
  type HttpTimeouts,
  send,
} from './http.js';
export { errorBody, isDictionaryOrArray, toJson } from './json.js';
export {
  compactInPlace,
  JSON_KIND,
  type JsonMember,
  type JsonScan,
  MAX_JSON_DEPTH,
  RawJson,
  scanJson,
} from './json-scan.js';
export { LARGE_BODY_BYTES, releaseMemory } from './memory.js';
export { DEFAULT_BODY_LIMIT_BYTES, MESSAGES, SENTINEL } from './messages.js';
export {
  type ActionEngine,
  Activation,
  createProtocolApp,
  type InitRequest,
  type ProtocolApp,
  type ProtocolAppOptions,
  type ProtocolRequest,
  type ProtocolResponse,
} from './protocol.js';
export { type LogStreams, trackLineEnds, writeSentinels } from './sentinel.js';
export { closeGracefully, onTerminationSignal, SHUTDOWN_GRACE_MS } from './shutdown.js';
export {
  type ListenAddress,
  type ProtocolServer,
  runServer,
  type ServerStart,
} from './start.js';
