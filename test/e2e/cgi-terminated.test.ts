// mod_cgi stops the script of a client that went away with SIGTERM, 3 s before SIGKILL: the
// upload in progress must be discarded, not left as a temporary file.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { filesOf } from './upload-suite.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { CHILD_PATH } from '../helpers/child-env.js';

t.test('SIGTERM in the middle of the body: the temporary file goes, the process ends', async (t) => {
  const fixture = makeFixture('cgi-sigterm');
  const { body, contentType } = multipart([{ name: 'file', filename: 'big', data: randomBytes(4 << 20) }]);
  const child = spawn(CGI_SCRIPT, [], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: CHILD_PATH, GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'POST', PATH_INFO: '/upload', SCRIPT_NAME: '/cgi-bin/bdfu',
      SERVER_NAME: 'localhost', SERVER_PORT: '80', BDFU_SETTINGS: fixture.config, CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length),
      HTTP_AUTHORIZATION: `Bearer ${await originalToken('sally', fixture.secret)}`,
    },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.stdout.resume();
  const exited = once(child, 'exit');
  const dir = join(fixture.storageDir, 'sally');
  child.stdin.write(body.subarray(0, 1 << 20));
  // Wait until the upload is being written, as it is when mod_cgi's client goes away.
  const deadline = Date.now() + 20_000;
  while (!filesOf(dir).some((n) => n.endsWith('.part'))) {
    if (Date.now() > deadline) throw new Error(`no temporary file appeared: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGTERM');
  const started = Date.now();
  const [code, signal] = await exited;
  t.ok(Date.now() - started < 3000, 'it ends before the web server would SIGKILL it');
  t.equal(signal, null, `ends by itself, not killed by the signal (exit code ${code})`);
  t.same(filesOf(dir), [], 'no temporary file, no file under an id');
  child.stdin.destroy();
});
