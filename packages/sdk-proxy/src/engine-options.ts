import type { LogStreams } from '@owkit/runtime/core';

/** What both engines are built from. */
export interface EngineOptions {
  /** The action executable; its folder is the working directory and where zips unpack. */
  execPath: string;
  /** Bytes one activation may write to stdout, and separately to stderr. */
  outputLimitBytes: number;
  /** Longest activation in ms; 0 leaves it to the request's deadline alone. */
  timeoutMs: number;
  logs: LogStreams;
  /** The proxy's own environment, the base of every child's. */
  env: Record<string, string>;
}
