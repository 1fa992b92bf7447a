import { describe, expect, it } from 'vitest';
import * as protocol from '../src/index.js';

describe('exports', () => {
  it('exports exactly these names from . (the protocol)', () => {
    expect(Object.keys(protocol).sort()).toMatchInlineSnapshot(`
      [
        "Activation",
        "DEFAULT_BODY_LIMIT_BYTES",
        "DEFAULT_TIMEOUTS",
        "JSON_KIND",
        "LARGE_BODY_BYTES",
        "MAX_JSON_DEPTH",
        "MESSAGES",
        "ProtocolError",
        "RawJson",
        "SENTINEL",
        "SHUTDOWN_GRACE_MS",
        "closeGracefully",
        "compactInPlace",
        "createHttpServer",
        "createProtocolApp",
        "errorBody",
        "initEnvToStrings",
        "isDictionaryOrArray",
        "isProtocolError",
        "messageOf",
        "onTerminationSignal",
        "parseDeadline",
        "releaseMemory",
        "runServer",
        "scanJson",
        "send",
        "toJson",
        "trackLineEnds",
        "writeSentinels",
      ]
    `);
  });
});
