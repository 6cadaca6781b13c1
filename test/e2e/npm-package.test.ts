import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCgi } from '../helpers/cgi-direct.js';
import { childEnv } from '../helpers/child-env.js';
import { makeFixture } from '../helpers/fixture.js';
import { uploadFile } from '../helpers/http.js';
import { npm } from '../helpers/npm.js';
import { originalToken } from '../helpers/original-token.js';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';

// The npm package holds what a user runs (the built program, its types, the CGI script, the Apache
// files, the READMEs) and nothing more: no benchmark build, no executables, no source maps.
// It is packed, installed into a scratch prefix, and run from there.

const work = mkdtempSync(join(tmpdir(), 'bdfu-pack-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
const [pack] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
const tarball = join(work, pack!.filename);
const prefix = join(work, 'prefix');

t.test('npm pack: only what a user runs', async (t) => {
  const paths = pack!.files.map((file) => file.path);
  const allowed = /^(package\.json|README\.md|SECURITY\.md|cgi-bin\/(bdfu|package\.json)|apache\/[^/]+|dist\/(?!bench\/)[\w/.-]+\.(js|cjs|d\.ts)|dist\/cgi\/bdfu\.cjs\.cache)$/;
  t.same(paths.filter((path) => !allowed.test(path)), [], 'nothing else');
  for (const needed of ['dist/cli/bin.cjs', 'dist/cli/main.js', 'dist/adapters/cgi-load.cjs', 'dist/cgi/bdfu.cjs', 'dist/cgi/bdfu.cjs.cache', 'cgi-bin/package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/adapters/cgi-entry.js', 'cgi-bin/bdfu', 'apache/.htaccess', 'apache/bdfu-cgi.conf']) {
    t.ok(paths.includes(needed), `holds ${needed}`);
  }
  t.notOk(paths.some((path) => path.startsWith('dist/bench/') || path.startsWith('dist/bdfu-linux') || path.endsWith('.map')), 'no benchmark, executable or source map');
});

t.test('installed from the tarball into a scratch prefix, bdfu serves and runs as CGI', async (t) => {
  const installed = await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: work });
  t.equal(installed.code, 0, installed.stderr);
  const bin = join(prefix, 'bin', 'bdfu');
  const home = join(prefix, 'lib', 'node_modules', 'bdfu');
  t.equal(realpathSync(bin), join(home, 'dist', 'cli', 'bin.cjs'), 'bin/bdfu is the installed copy, not this checkout');

  const version = await run(bin, ['--version'], { cwd: work, env: childEnv() });
  t.equal(version.stdout, `bdfu ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version} (node ${process.version})\n`);

  const fixture = makeFixture('pack');
  const server = await startBdfu([fixture.config], { command: [bin], cwd: work });
  t.teardown(() => server.stop());
  const res = await uploadFile(server.url, await originalToken('sally', fixture.secret), Buffer.from('from the package'));
  t.equal(res.status, 201, 'bdfu serve from the package takes an upload');
  t.equal(readFileSync(join(fixture.storageDir, 'sally', res.json.id), 'utf8'), 'from the package');

  const cgi = await runCgi({ GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', PATH_INFO: '/upload', BDFU_SETTINGS: fixture.config }, '', { script: join(home, 'cgi-bin', 'bdfu') });
  t.equal(cgi.status, 405, 'and its cgi-bin/bdfu answers as a CGI script');
});
