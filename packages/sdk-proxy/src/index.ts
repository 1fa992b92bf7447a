export { ActionCodeError } from './install.js';
export { ChildStartError } from './loop-child.js';
export { createLoopEngine, type LoopEngine, type LoopOptions } from './loop-engine.js';
export { PROXY_MESSAGES } from './messages.js';
export {
  type ProxyOptions,
  parseOptions,
  proxyOptionSpecs,
  proxyOptionsTable,
} from './options.js';
export {
  createPerActivationEngine,
  MAX_ARGUMENT_BYTES,
  PARAMS_BYTES_VARIABLE,
  type PerActivationOptions,
} from './per-activation-engine.js';
export {
  createProxyApp,
  createProxyServer,
  type ProxyServer,
  type ProxyServerOptions,
} from './server.js';
export { UnsafeZipError } from './unzip.js';
