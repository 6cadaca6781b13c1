import t from 'tap';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'bdfu-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

t.test('cfg file, relative storage, defaults', async (t) => {
  const { settings, warnings } = loadConfig({ file: file('a.cfg', "JWT_SECRET_KEY = 'a-long-enough-secret-value'\nSTORAGE_DIR = 'data'\n"), env: {} });
  t.equal(settings.storageDir, join(dir, 'data'), 'relative to the configuration file');
  t.equal(settings.port, 8080);
  t.equal(settings.host, '127.0.0.1');
  t.equal(settings.basePath, '/');
  t.same(warnings, []);
});

t.test('JSON file, environment wins over file, overrides win over both', async (t) => {
  const path = file('b.json', JSON.stringify({ JWT_SECRET_KEY: 'from-file-secret-0123', STORAGE_DIR: '/srv/x', PORT: 1 }));
  const { settings } = loadConfig({ file: path, env: { BDFU_PORT: '2', BDFU_BASE_PATH: 'files' }, overrides: { host: '::1' } });
  t.equal(settings.port, 2);
  t.equal(settings.host, '::1');
  t.equal(settings.basePath, '/files/');
  t.equal(settings.jwtSecretKey, 'from-file-secret-0123');
});

t.test('BDFU_SETTINGS names the file', async (t) => {
  const path = file('c.cfg', "JWT_SECRET_KEY = 'secret-from-settings-file'\nSTORAGE_DIR = '/tmp/x'\n");
  t.equal(loadConfig({ env: { BDFU_SETTINGS: path } }).settings.jwtSecretKey, 'secret-from-settings-file');
});

t.test('environment only', async (t) => {
  const { settings } = loadConfig({ env: { BDFU_JWT_SECRET_KEY: 'env-secret-long-enough', BDFU_STORAGE_DIR: '/tmp/e' } });
  t.equal(settings.storageDir, '/tmp/e');
});

t.test('refusals', async (t) => {
  const cases: Array<[string, Parameters<typeof loadConfig>[0], RegExp]> = [
    ['no secret', { env: { BDFU_STORAGE_DIR: '/tmp/x' } }, /JWT_SECRET_KEY is not set or empty/],
    ['empty secret', { file: file('d.cfg', "JWT_SECRET_KEY = ''\nSTORAGE_DIR = '/x'"), env: {} }, /JWT_SECRET_KEY is not set or empty/],
    ['no storage', { env: { BDFU_JWT_SECRET_KEY: 'x' } }, /STORAGE_DIR is not set/],
    ['port not a number', { env: { BDFU_JWT_SECRET_KEY: 'x', BDFU_STORAGE_DIR: '/x', BDFU_PORT: 'eighty' } }, /PORT .* whole number/],
    ['port out of range', { env: { BDFU_JWT_SECRET_KEY: 'x', BDFU_STORAGE_DIR: '/x', BDFU_PORT: '70000' } }, /PORT .* between 0 and 65535/],
    ['secret not a string', { file: file('e.cfg', "JWT_SECRET_KEY = 12\nSTORAGE_DIR = '/x'"), env: {} }, /JWT_SECRET_KEY .* must be a string/],
    ['syntax error names the line', { file: file('f.cfg', "JWT_SECRET_KEY = 'x'\nSTORAGE_DIR = get()"), env: {} }, /f\.cfg:2: /],
    ['missing file', { file: join(dir, 'nope.cfg'), env: {} }, /cannot read configuration file .*nope\.cfg: ENOENT/],
    ['bad JSON', { file: file('g.json', '{'), env: {} }, /not valid JSON/],
  ];
  for (const [name, options, message] of cases) {
    t.throws(() => loadConfig(options), { name: 'ConfigError', message }, name);
  }
});

t.test('warnings: short secret, unknown keys', async (t) => {
  const { warnings } = loadConfig({ file: file('h.cfg', "JWT_SECRET_KEY = 'supersecret'\nSTORAGE_DIR = '/x'\nDEBUG = True\n"), env: {} });
  t.match(warnings.join('\n'), /shorter than 16 characters/);
  t.match(warnings.join('\n'), /unknown setting DEBUG/);
});

t.test('a misspelled setting: the unknown name, and the setting it was probably meant to be', async (t) => {
  const typo = file('typo.cfg', "JWT_SECRET_KEY = 'a long enough secret here'\nSTORGE_DIR = '/x'\n");
  t.throws(() => loadConfig({ file: typo, env: {} }), {
    name: 'ConfigError',
    message: /^STORAGE_DIR is not set .*; .*typo\.cfg: unknown setting STORGE_DIR is ignored \(did you mean STORAGE_DIR\?\)$/,
  }, 'the missing setting and the misspelled one, in one line');
  const { warnings } = loadConfig({ file: file('sze.cfg', "JWT_SECRET_KEY = 'a long enough secret here'\nSTORAGE_DIR = '/x'\nMAX_UPLOAD_SZE = 5\nDEBUG = 1\nstorage_dir = '/y'\n"), env: {} });
  t.match(warnings.join('\n'), /unknown setting MAX_UPLOAD_SZE is ignored \(did you mean MAX_UPLOAD_SIZE\?\)/);
  t.match(warnings.join('\n'), /unknown setting storage_dir is ignored \(did you mean STORAGE_DIR\?\)/, 'case aside');
  t.match(warnings.join('\n'), /unknown setting DEBUG is ignored$/m, 'no guess when nothing is close');
  t.throws(() => loadConfig({ env: { BDFU_JWT_SECRET_KEY: 'a long enough secret here', BDFU_STORGE_DIR: '/x', BDFU_TRACE_FILE: '/t' } }), {
    message: /STORAGE_DIR is not set .*; environment BDFU_STORGE_DIR: unknown setting is ignored \(did you mean BDFU_STORAGE_DIR\?\)$/,
  }, 'from the environment too; other BDFU_ names are left alone');
});
