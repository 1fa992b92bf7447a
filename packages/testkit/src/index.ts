// The test-only helpers, and @owkit/host's helpers again so that a test imports one package.
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
} from '@owkit/host/docker';
export { DockerCommandError, PortTimeoutError, StartError } from '@owkit/host/errors';
export { INVOKER_MEMORY_MB, invokerLimitArgs } from '@owkit/host/invoker-limits';
export { freePort, urlFor, type WaitForPortOptions, waitForPort } from '@owkit/host/ports';
export { type RunningProcess, type StartProcessOptions, startProcess } from '@owkit/host/process';
export { describeWithDocker } from './describe-with-docker.js';
export { countSentinels, SENTINEL } from './sentinel.js';
