export {
  type ActionInfo,
  type ActionStyle,
  describeAction,
  isActionName,
  listActions,
} from './actions.js';
export { CliError, EXIT } from './errors.js';
export { type Activation, type InvokeReport, invoke } from './invoke/invoke.js';
export { activationLogs, type LogLine } from './invoke/logs.js';
export {
  type InvokeOptions,
  invokeOptionSpecs,
  parseOptions as parseInvokeOptions,
} from './invoke/options.js';
export { failureLine, renderReport } from './invoke/render.js';
export { CONTAINER_LABEL, CONTAINER_PREFIX } from './invoke/runners.js';
export { type Generated, type GenerateRequest, generateAction } from './new-action/generate.js';
export { type Packaged, packageAction } from './package/package.js';
export { execZip } from './package/zip.js';
export { findRepoRoot } from './repo.js';
export { isStyle, STYLES, type Style } from './styles.js';
