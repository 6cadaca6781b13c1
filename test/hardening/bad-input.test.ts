import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { makeKeyPair } from '../helpers/keys.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { rawHttp } from '../helpers/raw-http.js';
import { startBdfu } from '../helpers/serve.js';
import { eventually, leftovers, storedFiles, walk } from '../helpers/storage-tree.js';
import { BAD_INPUT, type CaseContext, type Expect } from './bad-input-cases.js';

const MAX_UPLOAD_SIZE = 1024 * 1024;

/**
 * The bad-input table, through the Node server and through CGI processes. Every case: the
 * expected 4xx and code, JSON, no stack trace, nothing stored, nothing left in flight, nothing
 * written outside STORAGE_DIR.
 */
async function runTable(t: Test, adapter: 'node' | 'cgi') {
  const keysDir = makeFixture(`keys-${adapter}`).dir;
  const rsa = makeKeyPair(keysDir, 'gateway-2026', 'rsa');
  const stranger = makeKeyPair(keysDir, 'stranger', 'rsa');
  const fixture = makeFixture(`bad-${adapter}`, { JWT_PUBLIC_KEYS: [rsa.publicPath], MAX_UPLOAD_SIZE });
  mkdirSync(fixture.storageDir, { recursive: true });
  const around = readdirSync(fixture.dir).sort();
  let base: string;
  if (adapter === 'node') {
    const served = await startBdfu([fixture.config]);
    t.teardown(() => served.stop());
    base = served.url;
  } else {
    const host = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
    t.teardown(() => host.close());
    base = host.url;
  }
  const context: CaseContext = { secret: fixture.secret, rsa, stranger, maxUploadSize: MAX_UPLOAD_SIZE };

  for (const badCase of BAD_INPUT.filter((c) => adapter === 'node' || !c.nodeOnly)) {
    await t.test(badCase.name, async (t) => {
      const expected: Expect = 'node' in badCase.expect ? badCase.expect[adapter] : badCase.expect;
      const reply = await rawHttp(base, await badCase.request(context));
      t.equal(reply.status, expected.status, `status (${reply.text.slice(0, 300)})`);
      t.equal(reply.json?.code, expected.code, 'code');
      t.type(reply.json?.error, 'string', 'a JSON error with a message');
      t.match(reply.headers['content-type'], /^application\/json/, 'served as JSON');
      t.notMatch(reply.text, /\n\s+at |\.(ts|js):\d+/, 'no stack trace');
      t.same(storedFiles(fixture.storageDir), [], 'nothing stored');
      t.ok(await eventually(() => leftovers(fixture.storageDir).length === 0), `no upload left in flight: ${leftovers(fixture.storageDir).join(' ')}`);
      t.same(readdirSync(fixture.dir).sort(), around, 'nothing written beside STORAGE_DIR');
      // Files with their metadata, and the audit trail (which records every refusal), the counters
      // that bound how many refusals from one address it records, and a long-lived server's
      // writer marker, which must say it is between appends.
      const marker = /^\.audit\.writers\/\d+-[0-9a-f]{12}$/;
      const strays = walk(fixture.storageDir).filter((path) => !/^[^/]+\/(\.[0-9a-f]{32}\.json|[0-9a-f]{32})$/.test(path) && !/^\.audit\.jsonl$/.test(path) &&
        !/^\.audit\.refused\/[^/]+\.\d+$/.test(path) && !marker.test(path));
      t.same(strays, [], 'nothing else in STORAGE_DIR');
      // Listed afresh at each look: a CGI process removes its marker when it exits, maybe between a listing and the read.
      const saysZero = (path: string) => {
        try {
          return readFileSync(join(fixture.storageDir, path), 'latin1') === '0';
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
          throw error;
        }
      };
      const between = () => walk(fixture.storageDir).filter((path) => marker.test(path)).every(saysZero);
      t.ok(await eventually(between), 'a writer marker left says "0" (its server is between appends)');
    });
  }
  t.ok(BAD_INPUT.filter((c) => adapter === 'node' || !c.nodeOnly).length >= 40, 'at least 40 cases');
}

t.test('bad input through the Node server', (t) => runTable(t, 'node'));
t.test('bad input through CGI', (t) => runTable(t, 'cgi'));
