import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CHILD_PATH } from '../helpers/child-env.js';
import { ROOT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';

// scripts/test-setup.sh, npm test's first step, on a copy of the checkout's layout with a package
// list of our own: one that is installed everywhere (coreutils), and one that exists nowhere.

function checkout(packages: string, withNodeModules: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-test-setup-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, '.ci'));
  copyFileSync(join(ROOT, 'scripts/test-setup.sh'), join(dir, 'scripts/test-setup.sh'));
  writeFileSync(join(dir, '.ci/apt-packages'), packages);
  if (withNodeModules) mkdirSync(join(dir, 'node_modules'));
  return dir;
}

const notRoot = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

t.test('not root, a package missing: prints the one apt-get line and stops', async (t) => {
  const dir = checkout('coreutils\nbdfu-no-such-package  # comments are ignored\n', false);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ran = await run('/bin/sh', [join(dir, 'scripts/test-setup.sh')], { env: { PATH: CHILD_PATH }, ...notRoot });
  t.equal(ran.code, 1);
  t.match(ran.stderr, /^ {2}sudo apt-get install -y bdfu-no-such-package$/m, 'the line to run, naming only what is missing');
  t.notMatch(ran.stderr, /coreutils|comments/);
  t.notOk(existsSync(join(dir, 'node_modules')), 'stopped before anything else (no npm ci)');
});

t.test('everything installed: quiet, exit 0', async (t) => {
  const dir = checkout('# what the suite needs\ncoreutils\n', true);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ran = await run('/bin/sh', [join(dir, 'scripts/test-setup.sh')], { env: { PATH: CHILD_PATH }, ...notRoot });
  t.equal(ran.code, 0, ran.stderr);
  t.equal(ran.stderr + ran.stdout, '');
});
