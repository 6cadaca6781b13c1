import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readKeptSecret, secretFileProblem } from '../../src/config/kept-secret.js';
import { bdfu } from '../helpers/run.js';

/**
 * Security review (issue 12), item 11: the embedded default used an existing .jwt-secret
 * without checking it. One that another user owns, or that others can read, is refused with
 * the one-line fix.
 */
function storage(): { cwd: string; secretFile: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'bdfu-kept-'));
  mkdirSync(join(cwd, 'bdfu-data'), { mode: 0o700 });
  return { cwd, secretFile: join(cwd, 'bdfu-data', '.jwt-secret') };
}

const serveEmbedded = (cwd: string) => bdfu(['serve', '--port', '0'], { cwd, env: { PATH: process.env.PATH }, timeout: 30_000 });

t.test('a .jwt-secret others can read refuses the start, saying how to fix it', async (t) => {
  const { cwd, secretFile } = storage();
  writeFileSync(secretFile, 'a-secret-others-could-read-0123456789\n', { mode: 0o644 });
  chmodSync(secretFile, 0o644);
  const ran = await serveEmbedded(cwd);
  t.equal(ran.code, 1);
  t.match(ran.stderr, /\.jwt-secret can be read by others \(mode 0644\): fix with chmod 600 .*\.jwt-secret/);
  t.equal(ran.stderr.trim().split('\n').length, 1, 'one line');
  t.notMatch(ran.stderr, /a-secret-others/, 'the secret is not printed');
});

t.test('a .jwt-secret of another user refuses the start', { skip: process.getuid?.() !== 0 && 'only root can give a file to another user' }, async (t) => {
  const { cwd, secretFile } = storage();
  writeFileSync(secretFile, 'a-secret-someone-else-made-0123456789\n', { mode: 0o600 });
  chownSync(secretFile, 65534, 65534);
  const ran = await serveEmbedded(cwd);
  t.equal(ran.code, 1);
  t.match(ran.stderr, /\.jwt-secret belongs to uid 65534, not to the user bdfu runs as \(uid 0\): fix with chown 0 /);
});

t.test('a .jwt-secret that is a symbolic link refuses the start', async (t) => {
  const { cwd, secretFile } = storage();
  const elsewhere = join(cwd, 'elsewhere');
  writeFileSync(elsewhere, 'a-secret-from-elsewhere-0123456789\n', { mode: 0o600 });
  symlinkSync(elsewhere, secretFile);
  const ran = await serveEmbedded(cwd);
  t.equal(ran.code, 1);
  t.match(ran.stderr, /\.jwt-secret is a symbolic link/);
});

t.test('the checks, with the running user injected', async (t) => {
  t.equal(secretFileProblem('/s/.jwt-secret', { uid: 1000, mode: 0o100600 }, 1000), undefined, 'owned and 0600: fine');
  t.equal(secretFileProblem('/s/.jwt-secret', { uid: 1000, mode: 0o100400 }, 1000), undefined, '0400: fine');
  t.match(secretFileProblem('/s/.jwt-secret', { uid: 1000, mode: 0o100640 }, 1000), /mode 0640\): fix with chmod 600 \/s\/\.jwt-secret/);
  t.match(secretFileProblem('/s/.jwt-secret', { uid: 1000, mode: 0o100604 }, 1000), /chmod 600/);
  t.match(secretFileProblem('/s/.jwt-secret', { uid: 33, mode: 0o100600 }, 1000), /belongs to uid 33, not to the user bdfu runs as \(uid 1000\): fix with chown 1000 \/s\/\.jwt-secret/);
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-kept-unit-'));
  const good = join(dir, 'good');
  writeFileSync(good, 'kept-secret\n', { mode: 0o600 });
  t.equal(readKeptSecret(good), 'kept-secret');
  t.equal(statSync(good).mode & 0o777, 0o600);
  t.equal(readKeptSecret(join(dir, 'missing')), undefined, 'none yet: undefined');
  t.throws(() => readKeptSecret(good, (process.getuid?.() ?? 0) + 1), { name: 'ConfigError', message: /belongs to uid/ });
});
