import type { LogStreams } from '@owkit/protocol';
import type { TreeKill } from './process-tree.js';
import type { UnzipLimits } from './unzip.js';

/** What both engines are built from. */
export interface EngineOptions {
  /** The action executable; its folder is the working directory and where zips unpack. */
  execPath: string;
  /** Bytes one activation may write to stdout, and separately to stderr. */
  outputLimitBytes: number;
  /** Longest activation in ms; 0 leaves it to the request's deadline alone. */
  timeoutMs: number;
  logs: LogStreams;
  /** How what a child started is found when it must go: its process group, or also a sweep. */
  treeKill: TreeKill;
  /** Caps on what a `/init` code zip may unpack to. */
  unzipLimits: UnzipLimits;
  /** The proxy's own environment, the base of every child's. */
  env: Record<string, string>;
}
