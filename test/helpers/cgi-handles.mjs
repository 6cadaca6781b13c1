#!/usr/bin/env node
// cgi-bin/bdfu as a web server runs it, one request from env + stdin, and then, once the
// request is served, what would still keep the process alive: Node's active resources (sockets,
// timers), as a JSON array on stderr's last line. A CGI script that keeps any of them lives on
// after its answer (until they time out), and the web server waits for it. Sockets that were
// being closed get half a second to finish closing first.
import { fileURLToPath } from 'node:url';

const { runCgi } = await import(fileURLToPath(new URL('../../dist/adapters/cgi-main.js', import.meta.url)));
await runCgi();
await new Promise((resolve) => setTimeout(resolve, 500));
process.stderr.write(`\n${JSON.stringify(process.getActiveResourcesInfo())}\n`);
