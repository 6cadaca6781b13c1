import { rmSync } from 'node:fs';
import t from 'tap';
import { ensureExecutable, executableCli, installCgi } from '../helpers/executable.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

// The single executable dropped into cgi-bin/ as bdfu.cgi with bdfu.cfg beside it (no
// BDFU_SETTINGS): every request is a new process of it, given env + stdin.
const executable = await ensureExecutable();
const fixture = makeFixture('exe-cgi');
const script = installCgi(executable, fixture.dir, 'bdfu.cgi', { file: fixture.config, as: 'bdfu.cfg' });
const host = await startCgiHost({ command: [script], scriptName: '/cgi-bin/bdfu.cgi' });
t.teardown(async () => {
  await host.close();
  rmSync(fixture.dir, { recursive: true, force: true });
});

const target = () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, cli: executableCli(executable) });
uploadSuite(t, target);
filesSuite(t, target);
