import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeFixture } from '../helpers/fixture.js';
import { multipart } from '../helpers/http.js';
import { originalToken } from '../helpers/original-token.js';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { buildTracedBundle } from '../helpers/traced-bundle.js';

// Every CGI request starts the executable anew: its bundle must evaluate only the modules the
// request needs. esbuild puts all modules in one CommonJS file; these tests check that its lazy
// initialisers keep `await import()` lazy, by recording which modules' top-level code ran.

const work = mkdtempSync(join(tmpdir(), 'bdfu-lazy-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const { bundle, preload } = await buildTracedBundle(work);
const fixture = makeFixture('lazy');

async function evaluated(args: string[], env: Record<string, string> = {}, input: Buffer | string = ''): Promise<{ modules: string[]; stdout: string }> {
  const trace = join(work, `trace-${Math.random().toString(36).slice(2)}.json`);
  const ran = await run(process.execPath, ['--require', preload, bundle, ...args], { env: { ...env, BDFU_TRACE_FILE: trace }, input });
  return { modules: JSON.parse(readFileSync(trace, 'utf8')) as string[], stdout: ran.stdout };
}

const cgiEnv = (method: string, extra: Record<string, string> = {}) => ({
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: method,
  PATH_INFO: '/upload',
  BDFU_SETTINGS: fixture.config,
  ...extra,
});

const CLI_ONLY = [
  'node_modules/commander/index.js',
  'src/cli/program.ts',
  'src/cli/serve.ts',
  'src/cli/upload.ts',
  'src/cli/download.ts',
  'src/cli/gen-token.ts',
  'src/cli/http-client.ts',
  'src/cli/progress.ts',
  'src/cli/tus-upload.ts',
  'src/cli/upload-state.ts',
  'src/adapters/node-server.ts',
  'src/adapters/node.ts',
  'src/config/embedded-default.ts',
];
/** The code of the other routes (downloads, listing, sharing, CDN links, the web page, the audit trail). */
const OTHER_ROUTES = [
  'src/routes/files-get.ts',
  'src/routes/files-list.ts',
  'src/routes/files-delete.ts',
  'src/routes/file-response.ts',
  'src/routes/share.ts',
  'src/http/range.ts',
  'src/cdn/cloudfront.ts',
  'src/auth/signed-link.ts',
  'src/routes/ui.ts',
  'src/ui/assets.generated.ts',
  'src/routes/audit.ts',
  'src/audit/query.ts',
  'src/routes/tus/context.ts',
  'src/routes/tus/post.ts',
  'src/routes/tus/patch.ts',
  'src/routes/tus/protocol.ts',
  'src/audit/anonymize.ts',
];

/** The hooks' code: a CGI request with no hook configured must not pay for it. */
const HOOK_CODE = [
  'src/hooks/build.ts',
  'src/hooks/runner.ts',
  'src/hooks/library.ts',
  'src/hooks/command.ts',
  'src/hooks/webhook.ts',
  'src/hooks/wire.ts',
  'src/hooks/source.ts',
  'src/hooks/signature.ts',
];

t.test('a CGI upload evaluates the upload route and nothing of the CLI, the Node server or other routes', async (t) => {
  const { body, contentType } = multipart([{ name: 'file', filename: 'a.txt', data: 'lazy' }]);
  const token = await originalToken('lazy', fixture.secret);
  const { modules, stdout } = await evaluated([], cgiEnv('POST', { CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length), HTTP_AUTHORIZATION: `Bearer ${token}` }), body);
  t.match(stdout, /^Status: 201/, 'the upload succeeded');
  for (const needed of ['src/adapters/cgi-main.ts', 'src/routes/upload.ts', 'node_modules/busboy/lib/index.js', 'node_modules/jose/dist/webapi/jwt/verify.js']) {
    t.ok(modules.includes(needed), `evaluates ${needed}`);
  }
  for (const unneeded of [...CLI_ONLY, ...OTHER_ROUTES, ...HOOK_CODE]) t.notOk(modules.includes(unneeded), `does not evaluate ${unneeded}`);
  t.ok(modules.includes('src/storage/disk/backend.ts'), 'the disk backend is built');
  const scaleOut = modules.filter((m) => /^src\/storage\/(s3|postgres|s3-postgres)\/|^node_modules\/(pg|pg-[^/]+|@aws-sdk\/[^/]+|@smithy\/[^/]+|minio|aws4fetch)\//.test(m));
  t.same(scaleOut, [], 'nothing of the S3 + PostgreSQL backend or its clients');
});

t.test('a CGI upload with HOOK_COMMAND evaluates the command hook and not the webhook', async (t) => {
  const hooked = makeFixture('lazy-hook', { HOOK_COMMAND: 'eicar-scan.sh' });
  copyFileSync(join(ROOT, 'test/fixtures/eicar-scan.sh'), join(hooked.dir, 'eicar-scan.sh'));
  const { body, contentType } = multipart([{ name: 'file', filename: 'a.txt', data: 'lazy' }]);
  const token = await originalToken('lazy', hooked.secret);
  const env = cgiEnv('POST', { BDFU_SETTINGS: hooked.config, CONTENT_TYPE: contentType, CONTENT_LENGTH: String(body.length), HTTP_AUTHORIZATION: `Bearer ${token}` });
  const { modules, stdout } = await evaluated([], env, body);
  t.match(stdout, /^Status: 201/, 'the upload succeeded');
  for (const needed of ['src/hooks/build.ts', 'src/hooks/runner.ts', 'src/hooks/command.ts']) t.ok(modules.includes(needed), `evaluates ${needed}`);
  for (const unneeded of ['src/hooks/webhook.ts', 'src/hooks/signature.ts', ...CLI_ONLY]) t.notOk(modules.includes(unneeded), `does not evaluate ${unneeded}`);
});

t.test('a CGI request that no route takes evaluates no route handler', async (t) => {
  // The fixture pins CGI_SWEEP_ONE_IN and CGI_ANONYMIZE_ONE_IN to 0: no chore by chance.
  const { modules, stdout } = await evaluated([], cgiEnv('GET'));
  t.notOk(modules.includes('src/audit/auto.ts'), 'no anonymizing chore');
  t.match(stdout, /^Status: 405/);
  t.ok(modules.includes('src/core/router.ts'));
  for (const unneeded of ['src/routes/upload.ts', 'node_modules/busboy/lib/index.js', ...CLI_ONLY, ...OTHER_ROUTES, ...HOOK_CODE]) {
    t.notOk(modules.includes(unneeded), `does not evaluate ${unneeded}`);
  }
});

t.test('a CGI request that also sweeps and anonymizes loads those chores, still no CLI and no other route', async (t) => {
  const { modules, stdout } = await evaluated([], cgiEnv('GET', { BDFU_CGI_SWEEP_ONE_IN: '1', BDFU_CGI_ANONYMIZE_ONE_IN: '1' }));
  t.match(stdout, /^Status: 405/);
  t.ok(modules.includes('src/audit/auto.ts'), 'the anonymizing chore ran (CGI_ANONYMIZE_ONE_IN = 1)');
  t.ok(modules.includes('src/audit/anonymize.ts'));
  const chores = new Set(['src/audit/anonymize.ts']);
  for (const unneeded of ['src/routes/upload.ts', ...CLI_ONLY, ...OTHER_ROUTES.filter((m) => !chores.has(m))]) {
    t.notOk(modules.includes(unneeded), `does not evaluate ${unneeded}`);
  }
});

t.test('--version evaluates neither the command line nor the server: start.ts answers it', async (t) => {
  const { modules, stdout } = await evaluated(['--version']);
  t.match(stdout, /^bdfu \d/);
  for (const unneeded of ['src/cli/program.ts', 'node_modules/commander/index.js', 'src/adapters/cgi-main.ts', 'src/core/app.ts', 'src/routes/upload.ts', 'src/cli/serve.ts', 'node_modules/busboy/lib/index.js', 'node_modules/jose/dist/webapi/index.js']) {
    t.notOk(modules.includes(unneeded), `does not evaluate ${unneeded}`);
  }
});

t.test('--version writes its line without making process.stdout (which loads the stream and socket modules)', async (t) => {
  const preload = join(work, 'builtins.cjs');
  writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS_FILE, JSON.stringify(process.moduleLoadList)));\n");
  for (const entry of [join(ROOT, 'dist/cli/bin.cjs'), bundle]) {
    const file = join(work, `builtins-${Math.random().toString(36).slice(2)}.json`);
    // Through env(1) without NODE_OPTIONS: tap's process tracking adds its own modules to the children the test spawns.
    const ran = await run('env', ['-u', 'NODE_OPTIONS', process.execPath, '--require', preload, entry, '--version'], { env: { BUILTINS_FILE: file } });
    t.match(ran.stdout, /^bdfu \d+\.\d+\.\d+ \(node v/, `${entry}: the version line`);
    const loaded = JSON.parse(readFileSync(file, 'utf8')) as string[];
    for (const builtin of ['NativeModule net', 'NativeModule stream', 'NativeModule tty']) {
      t.notOk(loaded.includes(builtin), `${entry}: ${builtin} not loaded`);
    }
  }
});
