// Hooks under a real Apache (event MPM, mod_cgid): the command hook decides, and the after-event
// goes out after the answer, before the CGI process exits, without Apache cutting it short.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EICAR, eventually, hookDecisions } from '../hooks/helpers.js';
import { giveToWebUser, reachableTempDir, startApache } from '../helpers/apache.js';
import { uploadFile } from '../helpers/http.js';
import { ROOT } from '../helpers/paths.js';
import { scopedToken } from '../helpers/tokens.js';
import { includeSnippet, scriptHome, webFixture } from './cgi-suite.js';

const work = reachableTempDir('bdfu-apache-hooks-');
const fixture = webFixture('apache-hooks', { HOOK_COMMAND: 'eicar-scan.sh' });
copyFileSync(join(ROOT, 'test/fixtures/eicar-scan.sh'), join(fixture.dir, 'eicar-scan.sh'));
// What the scanner writes beside itself must be writable by Apache's user.
for (const name of ['events.jsonl', 'environment.txt']) {
  writeFileSync(join(fixture.dir, name), '');
  giveToWebUser(join(fixture.dir, name));
}
const config = includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'hooks'), BDFU_CONFIG: fixture.config, BDFU_URL: '/hooks' });
const apache = await startApache(t, { mpm: 'event', config: () => config });
const events = () => readFileSync(join(fixture.dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; path?: string });

t.test('under Apache, a command hook rejects the EICAR test file and hears of the clean one', async (t) => {
  const token = await scopedToken('uma', fixture.secret, 'upload');
  const infected = await uploadFile(`${apache.origin}/hooks/`, token, Buffer.from(EICAR), 'eicar.com');
  t.equal(infected.status, 422, infected.text);
  t.equal(infected.json.code, 'rejected_by_hook');
  t.equal(infected.json.reason, 'infected: Eicar-Test-Signature');
  t.notOk(existsSync(events()[0]!.path!), 'the scanned temporary file is gone');
  const clean = await uploadFile(`${apache.origin}/hooks/`, token, Buffer.from('clean'), 'clean.txt');
  t.equal(clean.status, 201, clean.text);
  await eventually(() => events().length >= 3, 'the afterUpload event');
  t.same(events().map((e) => e.event), ['beforeCommit', 'beforeCommit', 'afterUpload']);
  await eventually(() => hookDecisions(fixture.storageDir).length >= 3, 'its audit line');
  t.same(hookDecisions(fixture.storageDir), ['beforeCommit command refused', 'beforeCommit command ok', 'afterUpload command ok']);
  t.notMatch(apache.errorLog(), /bdfu: .*hook/, 'nothing went wrong on the way');
});
