// 1 GiB through Apache: as a CGI script (mod_cgid) and through the reverse proxy to `bdfu serve`.
// The bodies are generated as they are sent and hashed on the way; memory is measured as the
// kernel's peak resident set (VmHWM) of the bdfu process that received the upload.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { giveToWebUser, reachableTempDir, startApache } from '../helpers/apache.js';
import { peakRss, sha256OfFile, uploadGenerated } from '../helpers/big-body.js';
import { makeFixture } from '../helpers/fixture.js';
import { originalToken } from '../helpers/original-token.js';
import { startBdfu } from '../helpers/serve.js';
import { includeSnippet, scriptHome, webFixture } from './cgi-suite.js';

const GiB = 1 << 30;
const MiB = 1 << 20;
const RSS_CEILING = 256 * MiB; // a quarter of the file: far below it, and far above Node's own ~60 MiB

const work = reachableTempDir('bdfu-apache-big-');
const cgiFixture = webFixture('apache-big-cgi');
const proxyFixture = makeFixture('apache-big-proxy', { BASE_PATH: '/files/' });
const server = await startBdfu([proxyFixture.config]);
t.teardown(() => server.stop());
// Two gigabytes of test data do not outlive the test.
t.teardown(() => {
  for (const dir of [cgiFixture.dir, proxyFixture.dir, work]) rmSync(dir, { recursive: true, force: true });
});

// Each CGI process bdfu runs records its own VmHWM as it exits: loaded with NODE_OPTIONS, set
// for this mount only; the script itself is the shipped one, unchanged.
const records = join(work, 'peaks');
mkdirSync(records);
giveToWebUser(records);
const peaks = join(records, 'peaks.jsonl');
const recorder = join(work, 'record-peak.mjs');
writeFileSync(recorder, `import { appendFileSync, readFileSync } from 'node:fs';
process.on('exit', () => {
  const kB = /^VmHWM:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  appendFileSync(${JSON.stringify(peaks)}, JSON.stringify({ pid: process.pid, path: process.env.PATH_INFO, vmHWM: Number(kB) * 1024 }) + '\\n');
});
`);
const home = scriptHome(work, 'big');

const apache = await startApache(t, {
  mpm: 'event',
  modules: ['proxy', 'proxy_http'],
  config: () => [
    includeSnippet('bdfu-cgi.conf', { BDFU_HOME: home, BDFU_CONFIG: cgiFixture.config, BDFU_URL: '/cgi' }),
    `<Directory ${home}/cgi-bin>\n    SetEnv NODE_OPTIONS --import=${recorder}\n</Directory>`,
    includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/files', BDFU_BACKEND: new URL(server.url).origin }),
  ].join('\n'),
});

t.test('1 GiB through Apache CGI (mod_cgid, CGIPassAuth) arrives intact in little memory', async (t) => {
  const res = await uploadGenerated(`${apache.origin}/cgi/upload`, await originalToken('big', cgiFixture.secret, { expiresIn: 3600 }), GiB);
  t.equal(res.status, 201, res.text);
  t.equal(res.json.size, GiB);
  t.equal(res.json.sha256, res.sentSha256, 'bdfu hashed what was sent');
  t.equal(await sha256OfFile(join(cgiFixture.storageDir, 'big', res.json.id)), res.sentSha256, 'the stored file is byte-identical');
  const recorded = readFileSync(peaks, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { path: string; vmHWM: number });
  const upload = recorded.filter((r) => r.path === '/upload');
  t.equal(upload.length, 1, 'one CGI process served it');
  t.ok(upload[0]!.vmHWM < RSS_CEILING, `peak RSS of the CGI process ${(upload[0]!.vmHWM / MiB).toFixed(1)} MiB < ${RSS_CEILING / MiB} MiB`);
  t.comment(`CGI peak RSS: ${(upload[0]!.vmHWM / MiB).toFixed(1)} MiB for a ${GiB / MiB} MiB upload`);
});

t.test('1 GiB through the reverse proxy to bdfu serve arrives intact in little memory', async (t) => {
  const res = await uploadGenerated(`${apache.origin}/files/upload`, await originalToken('big', proxyFixture.secret, { expiresIn: 3600 }), GiB);
  t.equal(res.status, 201, res.text);
  t.equal(res.json.size, GiB);
  t.equal(res.json.sha256, res.sentSha256, 'bdfu hashed what was sent');
  t.equal(await sha256OfFile(join(proxyFixture.storageDir, 'big', res.json.id)), res.sentSha256, 'the stored file is byte-identical');
  const peak = await peakRss(server.child.pid!);
  t.ok(peak < RSS_CEILING, `peak RSS of bdfu serve ${(peak / MiB).toFixed(1)} MiB < ${RSS_CEILING / MiB} MiB`);
  t.comment(`bdfu serve peak RSS: ${(peak / MiB).toFixed(1)} MiB after a ${GiB / MiB} MiB upload`);
});
