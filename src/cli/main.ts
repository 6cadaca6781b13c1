#!/usr/bin/env node
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Run by a web server as a CGI script: serve one request, load nothing of the CLI. */
function isCgi(): boolean {
  return /^CGI\//i.test(process.env.GATEWAY_INTERFACE ?? '') && process.argv.length <= 2;
}

if (isCgi()) {
  const { runCgi } = await import('../adapters/cgi-main.js');
  await runCgi(dirname(fileURLToPath(import.meta.url)));
} else {
  const { runCli } = await import('./program.js');
  await runCli(process.argv);
}
