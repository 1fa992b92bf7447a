#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { runServer } from '@owkit/protocol';
import { parseOptions, proxyOptionsTable } from './options.js';
import { createProxyServer } from './server.js';

await runServer({
  name: 'owkit-proxy',
  help: () =>
    `owkit-proxy: serves an OpenWhisk action executable over /init and /run.\n\n${proxyOptionsTable()}`,
  parse: parseOptions,
  create(options) {
    // Every in-flight activation holds a ChildProcess and three pipe sockets until its child
    // exits, so under load they reach old space as garbage. V8 lets old space grow to about 4x the
    // live heap (~10 MB here) between full GCs and keeps the pages it frees: RSS stepped up 10 MB
    // at a random moment of a one-minute soak. At most 50 % growth keeps it flat for a few more
    // 3-5 ms full GCs. Set here, not on node's command line: a V8 flag there cost every cold
    // start ~30 ms (measured).
    setFlagsFromString('--heap-growing-percent=50');
    return createProxyServer(options);
  },
});
