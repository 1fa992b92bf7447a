export { ChildStartError } from './actionloop-child.js';
export {
  type ActionloopEngine,
  type ActionloopOptions,
  createActionloopEngine,
} from './actionloop-engine.js';
export {
  type BlackboxOptions,
  createBlackboxEngine,
  MAX_ARGUMENT_BYTES,
  PARAMS_BYTES_VARIABLE,
} from './blackbox-engine.js';
export { ActionCodeError } from './install.js';
export { PROXY_MESSAGES } from './messages.js';
export {
  type ProxyOptions,
  parseOptions,
  proxyOptionSpecs,
  proxyOptionsTable,
} from './options.js';
export {
  createProxyApp,
  createProxyServer,
  type ProxyServer,
  type ProxyServerOptions,
} from './server.js';
export { UnsafeZipError } from './unzip.js';
