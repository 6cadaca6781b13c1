import { mkdirSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { auditPaths, type AuditEntry } from '../../src/audit/entry.js';
import { printable, printableJson } from '../../src/cli/target.js';
import { makeFixture } from '../helpers/fixture.js';
import { bdfu } from '../helpers/run.js';

/**
 * Security review (issue 12), item 6: C1 controls (U+0080–U+009F: CSI U+009B starts a
 * terminal escape) and bidi overrides reached the terminal through `bdfu logs`. Every field
 * is printed through printable() now; `--json` escapes what JSON.stringify leaves raw.
 */
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

t.test('bdfu logs prints no control character or bidi override, whichever field holds it', async (t) => {
  const fixture = makeFixture('escapes');
  mkdirSync(fixture.storageDir, { recursive: true });
  const csi = '\u009b31m';
  const entries: AuditEntry[] = [
    { time: `2026-12-01T10:00:00.000Z${csi}`, user: `mallory${csi}`, address: `192.0.2.1\u202e`, action: `upload\u001b[2J`, outcome: 'refused', code: `bad${csi}`,
      id: `\u009b2J${'0'.repeat(28)}`, name: `invoice\u202efdp.exe\u2066`, owner: `bob\u0085`, bytes: 1 },
    { time: '2026-12-01T10:00:01.000Z', user: null, address: null, action: 'summary', outcome: 'refused', suppressed: 7 },
  ];
  writeFileSync(auditPaths(fixture.storageDir).log, entries.map((e) => JSON.stringify(e) + '\n').join(''));
  const text = await bdfu(['logs', fixture.config]);
  t.equal(text.code, 0, text.stderr);
  t.notMatch(text.stdout.replace(/\n/g, ''), DANGEROUS, 'plain output: none');
  t.match(text.stdout, /mallory\?31m/, 'replaced by ?, the rest kept');
  t.match(text.stdout, /7 more refused requests/, 'summaries are shown');
  const json = await bdfu(['logs', '--json', fixture.config]);
  t.equal(json.code, 0, json.stderr);
  t.notMatch(json.stdout.replace(/\n/g, ''), DANGEROUS, '--json output: none');
  const parsed = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
  t.equal(parsed[0]!.name, entries[0]!.name, '--json stays exact JSON: the characters come back when parsed');
  t.equal(printable('a\u009bb\u202ec\u2069d'), 'a?b?c?d');
  t.equal(printableJson({ n: '\u009b\u202e' }), '{"n":"\\u009b\\u202e"}');
});
