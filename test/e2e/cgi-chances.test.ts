import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCgi } from '../helpers/cgi-direct.js';
import { makeFixture } from '../helpers/fixture.js';

// Under CGI there is no process between requests, so now and then a request does the chores after
// answering: sweep abandoned uploads (CGI_SWEEP_ONE_IN) and anonymize old audit entries
// (CGI_ANONYMIZE_ONE_IN). The chance is a setting, pinned here both ways.

const DAY_MS = 86_400_000;

function leftovers(chances: Record<string, number>) {
  const fixture = makeFixture('cgi-chances', chances);
  const dir = join(fixture.storageDir, 'sally');
  mkdirSync(dir, { recursive: true });
  const part = join(dir, `.upload-${'a'.repeat(32)}.part`);
  writeFileSync(part, 'abandoned');
  const old = (Date.now() - 2 * DAY_MS) / 1000;
  utimesSync(part, old, old);
  const entry = { time: new Date(Date.now() - 60 * DAY_MS).toISOString(), user: 'old', address: '192.0.2.7', action: 'upload', outcome: 'ok' };
  writeFileSync(join(fixture.storageDir, '.audit.jsonl'), JSON.stringify(entry) + '\n');
  const firstEntry = () => JSON.parse(readFileSync(join(fixture.storageDir, '.audit.jsonl'), 'utf8').split('\n')[0]!);
  return { fixture, part, firstEntry };
}

const request = (config: string) => runCgi({ GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', PATH_INFO: '/upload', BDFU_SETTINGS: config });

t.test('pinned to 1: every request sweeps and anonymizes after answering', async (t) => {
  const { fixture, part, firstEntry } = leftovers({ CGI_SWEEP_ONE_IN: 1, CGI_ANONYMIZE_ONE_IN: 1 });
  const reply = await request(fixture.config);
  t.equal(reply.status, 405, reply.text);
  t.notOk(existsSync(part), 'the abandoned upload was swept');
  t.equal(firstEntry().user, null, 'the 60-day-old entry was anonymized');
  t.equal(reply.stderr, '', 'quietly');
});

t.test('pinned to 0: no request does either', async (t) => {
  const { fixture, part, firstEntry } = leftovers({ CGI_SWEEP_ONE_IN: 0, CGI_ANONYMIZE_ONE_IN: 0 });
  for (let i = 0; i < 3; i++) t.equal((await request(fixture.config)).status, 405);
  t.ok(existsSync(part), 'the abandoned upload is still there');
  t.equal(firstEntry().user, 'old', 'the old entry keeps its user');
});

t.test('a bad chance stops bdfu at start, naming the setting', async (t) => {
  const fixture = makeFixture('cgi-chances-bad', { CGI_SWEEP_ONE_IN: -1 });
  const reply = await request(fixture.config);
  t.equal(reply.status, 500);
  t.equal(reply.json?.code, 'config_error');
  t.match(reply.stderr, /CGI_SWEEP_ONE_IN/);
});
