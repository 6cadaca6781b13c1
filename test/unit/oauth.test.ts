import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import { clientOrigin } from '../../src/oauth/client.js';
import { verifierMatches } from '../../src/oauth/codes.js';
import { FORM_SECONDS, openForm, signForm } from '../../src/oauth/form-token.js';
import { describeScope, requestedScopes } from '../../src/oauth/scope.js';

t.test('requestedScopes: remoteStorage scope words, rw winning, old spellings taken, anything else refused', async (t) => {
  t.same(requestedScopes('notes:rw contacts:r'), ['notes:rw', 'contacts:r']);
  t.same(requestedScopes('notes:r notes:rw notes:r'), ['notes:rw'], 'rw wins, once');
  t.same(requestedScopes('/notes:rw,*:r'), ['notes:rw', '*:r'], 'commas and a leading slash (older clients)');
  for (const bad of [null, '', '   ', 'notes', 'notes:w', 'Notes:rw', 'a/b:rw', 'notes:rw read']) t.equal(requestedScopes(bad), undefined, String(bad));
  t.equal(describeScope('*:r'), 'read everything in your storage');
  t.match(describeScope('notes:rw'), /^read and change your notes/);
});

t.test('clientOrigin: redirect_uri must lie on client_id’s origin (draft §11); the problem in words otherwise', async (t) => {
  t.match(clientOrigin('https://app.example', 'https://app.example/cb?x=1'), { origin: 'https://app.example' });
  t.match(clientOrigin('https://app.example/index.html', 'https://app.example/'), { origin: 'https://app.example' }, 'client_id may be a URL on the origin');
  const refused: Array<[string | null, string | null, RegExp]> = [
    [null, 'https://app.example/', /client_id is missing/],
    ['https://app.example', null, /redirect_uri is missing/],
    ['https://app.example', 'https://app.example.evil/', /not on the app/],
    ['https://app.example', 'http://app.example/', /not on the app/],
    ['https://app.example', 'https://app.example:444/', /not on the app/],
    ['https://app.example', 'https://app.example/#f', /fragment/],
    ['https://app.example', 'https://u:p@app.example/', /user name or password/],
    ['data:text/html,x', 'data:text/html,x', /not an http\(s\)/],
    ['https://app.example', '/relative', /not an absolute/],
  ];
  for (const [client, redirect, problem] of refused) {
    const answer = clientOrigin(client, redirect);
    t.ok('problem' in answer && problem.test(answer.problem), `${client} → ${redirect}`);
  }
});

t.test('signed forms: what was signed comes back; a changed, foreign or old form does not', async (t) => {
  const now = 1_800_000_000_000;
  const form = signForm('secret', { user: 'ann', client: 'https://a.example' }, now);
  t.match(openForm('secret', form, now + 1000), { user: 'ann', client: 'https://a.example' });
  t.equal(openForm('other secret', form, now), undefined, 'another server’s secret');
  const [body, mac] = form.split('.');
  const changed = Buffer.from(JSON.stringify({ user: 'eve', client: 'https://a.example', until: now + 1e9 })).toString('base64url');
  t.equal(openForm('secret', `${changed}.${mac}`, now), undefined, 'a changed body');
  t.equal(openForm('secret', `${body}.${mac}x`, now), undefined, 'a changed signature');
  t.equal(openForm('secret', form, now + FORM_SECONDS * 1000 + 1), undefined, 'too old');
  for (const junk of [null, '', 'x', 'a.b.c']) t.equal(openForm('secret', junk, now), undefined, String(junk));
});

t.test('PKCE S256 (RFC 7636 §4.6): the verifier’s hash must be the challenge', async (t) => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  t.ok(verifierMatches(verifier, challenge));
  t.notOk(verifierMatches(randomBytes(32).toString('base64url'), challenge), 'another verifier');
  t.notOk(verifierMatches(challenge, challenge), 'the challenge itself (the plain method is not taken)');
  t.notOk(verifierMatches('short', createHash('sha256').update('short').digest('base64url')), 'under 43 characters');
});
