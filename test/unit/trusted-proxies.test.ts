import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load.js';
import { parseTrustedProxies } from '../../src/config/trusted-proxies.js';
import { bdfu } from '../helpers/run.js';

const dir = mkdtempSync(join(tmpdir(), 'bdfu-trust-'));
const base = { env: {}, overrides: { jwtSecretKey: 'a-long-enough-secret', storageDir: dir } };

t.test('TRUSTED_PROXIES is empty unless set', async (t) => {
  t.same(loadConfig(base).settings.trustedProxies, []);
});

t.test('from a .cfg list, a JSON array, or a comma-separated environment variable', async (t) => {
  const cfg = join(dir, 'a.cfg');
  writeFileSync(cfg, "JWT_SECRET_KEY = 'a-long-enough-secret'\nSTORAGE_DIR = 's'\nTRUSTED_PROXIES = ['127.0.0.1', '::1', '10.0.0.0/8']\n");
  t.same(loadConfig({ file: cfg, env: {} }).settings.trustedProxies, ['127.0.0.1', '::1', '10.0.0.0/8']);
  const json = join(dir, 'a.json');
  writeFileSync(json, JSON.stringify({ JWT_SECRET_KEY: 'a-long-enough-secret', STORAGE_DIR: 's', TRUSTED_PROXIES: ['192.168.1.1'] }));
  t.same(loadConfig({ file: json, env: {} }).settings.trustedProxies, ['192.168.1.1']);
  t.same(loadConfig({ ...base, env: { BDFU_TRUSTED_PROXIES: '127.0.0.1, ::1 fd00::/8' } }).settings.trustedProxies, ['127.0.0.1', '::1', 'fd00::/8']);
});

t.test('anything that is not an address or a CIDR range stops start-up, naming it', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    [['localhost'], /TRUSTED_PROXIES: "localhost" is not an IP address or a CIDR range/],
    [['127.0.0.1', '300.1.1.1'], /"300.1.1.1"/],
    [['10.0.0.0/33'], /prefix length that is not 0 to 32/],
    [['::1/129'], /0 to 128/],
    [['10.0.0.0/8/8'], /not an IP address/],
    [['*'], /"\*"/],
    ['127.0.0.1', /must be a list/],
  ];
  for (const [value, message] of bad) {
    t.throws(() => loadConfig({ ...base, overrides: { ...base.overrides, trustedProxies: value as string[] } }), message, JSON.stringify(value));
    t.throws(() => loadConfig({ ...base, overrides: { ...base.overrides, trustedProxies: value as string[] } }), ConfigError);
  }
  const cfg = join(dir, 'bad.cfg');
  writeFileSync(cfg, "JWT_SECRET_KEY = 'a-long-enough-secret'\nSTORAGE_DIR = 's'\nTRUSTED_PROXIES = [1, 2]\n");
  t.throws(() => loadConfig({ file: cfg, env: {} }), /TRUSTED_PROXIES .* must be a list of strings/);
});

t.test('bdfu serve refuses to start with a bad entry, in one line', async (t) => {
  const cfg = join(dir, 'serve.cfg');
  writeFileSync(cfg, "JWT_SECRET_KEY = 'a-long-enough-secret'\nSTORAGE_DIR = 's'\nTRUSTED_PROXIES = ['apache.local']\n");
  const ran = await bdfu(['serve', cfg, '--port', '0']);
  t.equal(ran.code, 1);
  t.equal(ran.stderr, 'bdfu: TRUSTED_PROXIES: "apache.local" is not an IP address or a CIDR range (write e.g. \'127.0.0.1\', \'::1\' or \'10.0.0.0/8\')\n');
});

t.test('matching addresses and ranges, IPv4 seen on an IPv6 socket included', async (t) => {
  const trusted = parseTrustedProxies(['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8']);
  for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.1.2.3', '::ffff:10.200.0.1', 'fd12::1']) t.ok(trusted.trusts(address), address);
  for (const address of ['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', '', 'unknown']) t.notOk(trusted.trusts(address), address || '(empty)');
  t.notOk(parseTrustedProxies([]).trusts('127.0.0.1'), 'an empty list trusts nobody');
});
