import t from 'tap';
import { join } from 'node:path';
import { runCgi } from '../helpers/cgi-direct.js';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { CGI_SCRIPT, ROOT } from '../helpers/paths.js';
import { startS3Pg } from '../helpers/s3pg.js';
import { s3pgStorage } from '../helpers/s3pg-storage.js';
import { scopedToken } from '../helpers/tokens.js';
import { filesSuite } from './files-suite.js';
import { uploadSuite } from './upload-suite.js';

// The upload and files suites through the CGI adapter (a process per request, as mod_cgi runs
// it) on S3 (a private Swift with s3api) + PostgreSQL (a private cluster), one of each for the file.
const env = await startS3Pg(t);
const HANDLES = join(ROOT, 'test/helpers/cgi-handles.mjs');

const main = await s3pgStorage(t, env, 'cgi');
const fixture = makeFixture('s3pg-cgi', main.settings);
const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(() => host.close());
const target = () => ({ baseUrl: host.url, storageDir: fixture.storageDir, secret: fixture.secret, stored: main.stored });

uploadSuite(t, target);
filesSuite(t, target);

t.test('a CGI process keeps nothing open once it has answered: the web server is not kept waiting for it', async (t) => {
  const token = await scopedToken('handles', fixture.secret, 'upload read delete');
  const base = { BDFU_SETTINGS: fixture.config, SCRIPT_NAME: '/cgi-bin/bdfu', SERVER_NAME: '127.0.0.1', SERVER_PORT: '80', REMOTE_ADDR: '127.0.0.1', HTTP_AUTHORIZATION: `Bearer ${token}` };
  const { body, contentType } = multipart([{ name: 'file', filename: 'h.txt', data: 'handles' }]);
  const requests: Array<[string, Record<string, string>, Buffer | string]> = [
    ['POST upload', { REQUEST_METHOD: 'POST', PATH_INFO: '/upload', CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length) }, body],
    ['GET files/handles/', { REQUEST_METHOD: 'GET', PATH_INFO: '/files/handles/' }, ''],
    ['GET upload (refused: 405)', { REQUEST_METHOD: 'GET', PATH_INFO: '/upload' }, ''],
  ];
  for (const [what, env, stdin] of requests) {
    const reply = await runCgi({ ...base, ...env }, stdin, { script: HANDLES });
    t.ok(reply.status > 0 && reply.status < 500, `${what}: answered ${reply.status}`);
    t.equal(reply.exitCode, 0, `${what}: exits 0`);
    const open = JSON.parse(reply.stderr.trim().split('\n').pop() ?? 'null') as string[] | null;
    t.ok(Array.isArray(open), `${what}: the script reported its resources`);
    t.same(open?.filter((resource) => /TCP|Timeout|Immediate/.test(resource)), [], `${what}: no socket or timer left (${open?.join(', ')})`);
  }
});
