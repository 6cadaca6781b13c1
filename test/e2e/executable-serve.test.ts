import t from 'tap';
import { ensureExecutable, executableCli } from '../helpers/executable.js';
import { makeFixture } from '../helpers/fixture.js';
import { startBdfu } from '../helpers/serve.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

// The single executable as `bdfu serve` on a VPS; its own gen-token and upload do the CLI steps.
const executable = await ensureExecutable();
const fixture = makeFixture('exe-serve');
const server = await startBdfu([fixture.config], { command: [executable] });
t.teardown(() => server.stop());

const target = () => ({ baseUrl: server.url, storageDir: fixture.storageDir, secret: fixture.secret, cli: executableCli(executable) });
uploadSuite(t, target);
filesSuite(t, target);
