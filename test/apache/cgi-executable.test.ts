// The single executable as the CGI script under Debian's default Apache (event MPM + mod_cgid),
// through the same three shipped configurations and the same suites as cgi-bin/bdfu.
import t from 'tap';
import { copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { reachableTempDir } from '../helpers/apache.js';
import { ensureExecutable } from '../helpers/executable.js';
import { apacheCgiSuite } from './cgi-suite.js';

const built = await ensureExecutable();
// A copy Apache's user can reach and run, with no node_modules anywhere near it.
const script = join(reachableTempDir('bdfu-apache-exe-'), 'bdfu');
copyFileSync(built, script);
chmodSync(script, 0o755);

await apacheCgiSuite(t, 'event', script);
