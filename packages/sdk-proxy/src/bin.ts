#!/usr/bin/env node
import { closeGracefully, OptionsError, onTerminationSignal } from '@owkit/runtime/core';
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
