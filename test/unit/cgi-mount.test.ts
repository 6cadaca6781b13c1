import { PassThrough } from 'node:stream';
import t from 'tap';
import { cgiRequest, mountPath } from '../../src/adapters/cgi.js';

t.test('the mount is SCRIPT_NAME when the client asked for the script', async (t) => {
  t.equal(mountPath({ SCRIPT_NAME: '/cgi-bin/bdfu', PATH_INFO: '/upload', REQUEST_URI: '/cgi-bin/bdfu/upload' }), '/cgi-bin/bdfu');
  t.equal(mountPath({ SCRIPT_NAME: '/files', PATH_INFO: '/upload', REQUEST_URI: '/files/upload?x=1' }), '/files');
  t.equal(mountPath({ SCRIPT_NAME: '/cgi-bin/bdfu', PATH_INFO: '/upload' }), '/cgi-bin/bdfu', 'no REQUEST_URI');
});

t.test('a pretty URL rewritten onto the script keeps the client’s path', async (t) => {
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/upload', REQUEST_URI: '/files/upload' }), '/files');
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/a b/c', REQUEST_URI: '/files/a%20b/c' }), '/files', 'percent-encoded');
  t.equal(mountPath({ SCRIPT_NAME: '/bdfu.cgi', PATH_INFO: '/upload', REQUEST_URI: '/upload' }), '', 'at the root');
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/', REQUEST_URI: '/files/' }), '/files');
});

t.test('a REQUEST_URI that does not end in PATH_INFO is not believed', async (t) => {
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/upload', REQUEST_URI: '/elsewhere' }), '/files/bdfu.cgi');
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/%zz', REQUEST_URI: '/files/%zz' }), '/files/bdfu.cgi', 'not percent-encoding');
  t.equal(mountPath({ SCRIPT_NAME: '/s', PATH_INFO: '/a/b/c', REQUEST_URI: '/b/c' }), '/s');
  t.equal(mountPath({ SCRIPT_NAME: '/s', PATH_INFO: '/x', REQUEST_URI: 'http://host/x' }), '/s', 'not a path');
});

t.test('baseUrl: scheme, host and mount as the client used them', async (t) => {
  const req = cgiRequest({
    REQUEST_METHOD: 'POST', HTTPS: 'on', HTTP_HOST: 'files.example.org', SERVER_PORT: '443',
    SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/upload', REQUEST_URI: '/files/upload', REMOTE_ADDR: '198.51.100.7',
  }, new PassThrough());
  t.equal(req.baseUrl, 'https://files.example.org/files/');
  t.equal(req.remoteAddress, '198.51.100.7');
});

t.test('WebFinger rewritten from the host root onto the script: the mount is SCRIPT_NAME', async (t) => {
  t.equal(mountPath({ SCRIPT_NAME: '/files', PATH_INFO: '/.well-known/webfinger', REQUEST_URI: '/.well-known/webfinger?resource=acct:a@b' }), '/files');
  t.equal(mountPath({ SCRIPT_NAME: '/files/bdfu.cgi', PATH_INFO: '/.well-known/webfinger', REQUEST_URI: '/.well-known/webfinger' }), '/files/bdfu.cgi');
  t.equal(mountPath({ SCRIPT_NAME: '/files', PATH_INFO: '/.well-known/webfinger', REQUEST_URI: '/files/.well-known/webfinger' }), '/files', 'asked under the mount: the same');
});
