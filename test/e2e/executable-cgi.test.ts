import t from 'tap';
import { ensureExecutable, executableCgiHost, executableCli } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

// The single executable dropped into cgi-bin/ as bdfu.cgi with bdfu.cfg beside it (no
// BDFU_SETTINGS): every request is a new process of it, given env + stdin.
const executable = await ensureExecutable();
const fixture = makeFixture('exe-cgi');
const host = await executableCgiHost(t, executable, fixture);

const target = () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, cli: executableCli(executable) });
uploadSuite(t, target);
filesSuite(t, target);
