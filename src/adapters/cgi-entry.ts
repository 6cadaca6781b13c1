import { dirname, resolve } from 'node:path';
import { runCgi } from './cgi-main.js';

/** Entry of cgi-bin/bdfu: settings may sit beside the script that the web server ran. */
await runCgi(process.argv[1] ? dirname(resolve(process.argv[1])) : undefined);
