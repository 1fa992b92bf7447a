#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { closeGracefully, onTerminationSignal } from '@owkit/protocol';
import { OptionsError } from '@owkit/protocol/options';
import { type ProxyOptions, parseOptions, proxyOptionsTable } from './options.js';
import { createProxyServer } from './server.js';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  process.stdout.write(
    `owkit-proxy: serves an OpenWhisk action executable over /init and /run.\n\n${proxyOptionsTable()}\n`,
  );
  process.exit(0);
}

let options: ProxyOptions;
try {
  options = parseOptions(argv, process.env);
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  process.stderr.write(`owkit-proxy: ${error.message} (see --help)\n`);
  process.exit(2);
}

// Every in-flight activation holds a ChildProcess and three pipe sockets until its child exits,
// so under load they reach old space as garbage. V8 lets old space grow to about 4x the live heap
// (~10 MB here) between full GCs and keeps the pages it frees: RSS stepped up 10 MB at a random
// moment of a one-minute soak. At most 50 % growth keeps it flat for a few more 3-5 ms full GCs.
// Set here, not on node's command line: a V8 flag there cost every cold start ~30 ms (measured).
setFlagsFromString('--heap-growing-percent=50');

const { server, app } = createProxyServer(options);
server.once('error', (error) => {
  process.stderr.write(
    `owkit-proxy: cannot listen on ${options.host}:${options.port}: ${error.message}\n`,
  );
  process.exit(1);
});
server.listen(options.port, options.host);
onTerminationSignal(() => {
  closeGracefully(server, app).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`owkit-proxy: shutdown failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
