export { describeWithDocker } from './describe-with-docker.js';
export {
  type BuildImageOptions,
  buildImage,
  type ContainerLogs,
  dockerAvailable,
  dockerAvailableSync,
  imageBytes,
  imageExists,
  type RunningContainer,
  type StartContainerOptions,
  type StopResult,
  startContainer,
  TEST_LABEL,
} from './docker.js';
export { DockerCommandError, PortTimeoutError, StartError } from './errors.js';
export { INVOKER_MEMORY_MB, invokerLimitArgs } from './invoker-limits.js';
export { freePort, urlFor, type WaitForPortOptions, waitForPort } from './ports.js';
export { type RunningProcess, type StartProcessOptions, startProcess } from './process.js';
export { countSentinels, SENTINEL } from './sentinel.js';
