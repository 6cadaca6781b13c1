import { createHash, randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { http, type Reply } from '../helpers/http.js';
import { allowInDialog, answerDialog, formOf } from '../helpers/oauth-dialog.js';
import { bdfu } from '../helpers/run.js';
import { bearer, scopedToken } from '../helpers/tokens.js';

export interface OAuthTarget {
  baseUrl: string;
  secret: string;
  /** Makes an account (as `bdfu users add … --password-stdin` does) with these scopes. */
  addAccount: (name: string, password: string, scopes?: string) => Promise<void>;
  /** `bdfu history <user> <path> --json` against the target's storage. */
  history: (user: string, path: string) => Promise<Array<{ app?: string }>>;
  /** Where apps look users up; `{baseUrl}.well-known/webfinger` unless a web server routes the host's root. */
  webfinger?: string;
  /** The endpoint WebFinger names, when it is another spelling of baseUrl (…/bdfu.cgi/ under shared hosting). */
  discoveredBase?: string;
}

const APP = 'https://notes.example';
const CALLBACK = `${APP}/app/callback`;
const PASSWORD = 'correct horse battery';

/**
 * remoteStorage discovery (WebFinger, draft-dejong-remotestorage-26 §10) and the OAuth dialog
 * (§11, RFC 6749 §4.1 / §4.2, RFC 7636) through a running bdfu, without a browser: the forms are
 * posted as a browser would. One suite, run per hosting mode and backend.
 */
export function oauthSuite(t: Test, target: () => OAuthTarget): void {
  const person = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;
  const base = () => target().baseUrl;
  const dialogUrl = (user: string, query: Record<string, string>) => `${base()}oauth/${user}?${new URLSearchParams(query)}`;
  const implicit = (extra: Record<string, string> = {}) => ({ client_id: APP, redirect_uri: CALLBACK, response_type: 'token', scope: 'notes:rw', state: 's-1', ...extra });
  const answer = (user: string, form: string, fields: Record<string, string>, headers?: Record<string, string>) => answerDialog(base(), user, form, fields, headers);
  const location = (reply: Reply) => new URL(String(reply.headers.location));
  const fragment = (reply: Reply) => new URLSearchParams(location(reply).hash.slice(1));
  /** Through the dialog as a person who allows: the redirect back to the app. */
  const allow = (user: string, query: Record<string, string>) => allowInDialog(base(), user, PASSWORD, query);
  const account = async (prefix: string) => {
    const name = person(prefix);
    await target().addAccount(name, PASSWORD);
    return name;
  };
  const storage = (user: string, path: string) => `${base()}storage/${user}${path}`;

  const webfinger = () => target().webfinger ?? `${base()}.well-known/webfinger`;

  t.test('§10 WebFinger: the storage root, the dialog, token in the query and Range, for any origin', async (t) => {
    const reply = await http(`${webfinger()}?resource=${encodeURIComponent('acct:hana@example.org')}`, { headers: { origin: 'https://any.example' } });
    t.equal(reply.status, 200, reply.text);
    t.match(reply.headers['content-type'], /^application\/jrd\+json/);
    t.equal(reply.headers['access-control-allow-origin'], '*', 'CORS: any page may ask');
    t.equal(reply.json.subject, 'acct:hana@example.org');
    const [current, old] = reply.json.links;
    const named = target().discoveredBase ?? base();
    t.equal(current.rel, 'http://tools.ietf.org/id/draft-dejong-remotestorage');
    t.equal(current.href, `${named}storage/hana`, 'href: the user storage root');
    t.equal(current.properties['http://remotestorage.io/spec/version'], 'draft-dejong-remotestorage-26');
    t.equal(current.properties['http://tools.ietf.org/html/rfc6749#section-4.2'], `${named}oauth/hana`, 'the OAuth dialog');
    t.equal(current.properties['http://tools.ietf.org/html/rfc6750#section-2.3'], 'true', 'a token in the query is supported');
    t.equal(current.properties['http://tools.ietf.org/html/rfc7233'], 'GET', 'Range on GET is supported');
    t.equal(old.rel, 'remotestorage', 'the rel of older clients too');
    t.equal(old.properties['auth-endpoint'], `${named}oauth/hana`);
    const filtered = await http(`${webfinger()}?resource=acct:hana@example.org&rel=remotestorage`);
    t.same(filtered.json.links.map((l: { rel: string }) => l.rel), ['remotestorage'], 'RFC 7033 §4.3: rel filters the links');
    const missing = await http(webfinger());
    t.equal(missing.status, 400);
    t.equal(missing.json.code, 'resource_missing');
    const other = await http(`${webfinger()}?resource=${encodeURIComponent('https://example.org/hana')}`);
    t.equal(other.status, 404, 'only acct: resources');
    t.equal(other.json.code, 'not_found');
  });

  t.test('§11 implicit grant: the person signs in and allows; the app gets a token for those scopes only', async (t) => {
    const user = await account('imp');
    const page = await http(dialogUrl(user, implicit()));
    t.equal(page.status, 200, page.text);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.text, /notes\.example/, 'the page names the app');
    t.match(page.text, /read and change your notes/, 'and what it asks, in words');
    t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/, 'never framed');
    t.match(page.headers['content-security-policy'], new RegExp(`form-action 'self' ${APP.replace(/\./g, '\\.')}`), 'the form goes to bdfu, and its answer only to the app');
    t.equal(page.headers['x-frame-options'], 'DENY');
    const back = await answer(user, formOf(page), { user, password: PASSWORD, decision: 'allow' });
    t.equal(back.status, 302, back.text);
    t.equal(`${location(back).origin}${location(back).pathname}`, CALLBACK, 'back to the redirect_uri');
    const got = fragment(back);
    t.equal(got.get('token_type'), 'bearer');
    t.equal(got.get('state'), 's-1', 'state comes back');
    t.equal(got.get('scope'), 'notes:rw');
    const token = got.get('access_token')!;
    t.ok(token, 'a token in the fragment');
    const put = await http(storage(user, '/notes/a.txt'), { method: 'PUT', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'from the app' });
    t.equal(put.status, 201, put.text);
    const query = await http(`${storage(user, '/notes/a.txt')}?access_token=${encodeURIComponent(token)}`);
    t.equal(query.text, 'from the app', 'the token works in the query too (RFC 6750 §2.3)');
    const elsewhere = await http(storage(user, '/contacts/b.txt'), { method: 'PUT', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'x' });
    t.equal(elsewhere.status, 403, 'another module: refused');
    t.equal(elsewhere.json.code, 'insufficient_scope');
    const files = await http(`${base()}files/${user}/`, { headers: bearer(token) });
    t.equal(files.status, 403, "the app's token reaches no uploaded files");
    const versions = await target().history(user, '/notes/a.txt');
    t.equal(versions[0]?.app, APP, 'the history says which app wrote the version');
  });

  t.test('§11 deny: back to the app with error=access_denied, and no token', async (t) => {
    const user = await account('deny');
    const page = await http(dialogUrl(user, implicit({ state: 'd-2' })));
    const back = await answer(user, formOf(page), { user, password: '', decision: 'deny' });
    t.equal(back.status, 302);
    const got = fragment(back);
    t.equal(got.get('error'), 'access_denied');
    t.equal(got.get('state'), 'd-2');
    t.notOk(got.get('access_token'));
  });

  t.test('RFC 6749 §4.2.2.1: a redirect_uri off the client_id origin, or none, is an error page, never a redirect', async (t) => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['another origin', implicit({ redirect_uri: 'https://evil.example/steal' }), /is not on the app/],
      ['another port', implicit({ redirect_uri: 'https://notes.example:8443/cb' }), /is not on the app/],
      ['no redirect_uri', { client_id: APP, response_type: 'token', scope: 'notes:rw' }, /redirect_uri is missing/],
      ['no client_id', { redirect_uri: CALLBACK, response_type: 'token', scope: 'notes:rw' }, /client_id is missing/],
      ['a fragment', implicit({ redirect_uri: `${CALLBACK}#x` }), /fragment/],
      ['not http', implicit({ client_id: 'javascript:alert(1)', redirect_uri: 'javascript:alert(1)' }), /not an http\(s\)/],
    ];
    for (const [name, query, words] of cases) {
      const page = await http(dialogUrl('hana', query));
      t.equal(page.status, 400, name);
      t.equal(page.headers.location, undefined, `${name}: no redirect`);
      t.match(page.text, words, name);
    }
  });

  t.test('RFC 6749 §4.2.2.1 and §10.15: other bad requests are for the app to hear, by a link on an error page, not a redirect', async (t) => {
    const backLink = (page: Reply) => new URL(/<a class="button" href="([^"]+)"/.exec(page.text)![1]!.replace(/&#38;/g, '&'));
    const scope = await http(dialogUrl('hana', implicit({ scope: 'notes:rwx' })));
    t.equal(scope.status, 400);
    t.equal(scope.headers.location, undefined, 'no automatic redirect: any site can be a client, bdfu is no open redirector');
    t.match(scope.text, /invalid_scope/);
    const link = backLink(scope);
    t.equal(`${link.origin}${link.pathname}`, CALLBACK, 'the link goes back to the app');
    t.equal(new URLSearchParams(link.hash.slice(1)).get('error'), 'invalid_scope', 'with the error in the fragment');
    t.equal(new URLSearchParams(link.hash.slice(1)).get('state'), 's-1');
    const type = await http(dialogUrl('hana', implicit({ response_type: 'password' })));
    t.equal(new URLSearchParams(backLink(type).hash.slice(1)).get('error'), 'unsupported_response_type');
    const noPkce = await http(dialogUrl('hana', implicit({ response_type: 'code' })));
    t.equal(backLink(noPkce).searchParams.get('error'), 'invalid_request', 'the code flow without PKCE: in the query');
  });

  t.test('the dialog: a wrong password shows the page again; tries are throttled; forged or cross-site forms are refused', async (t) => {
    const user = await account('pw');
    const page = await http(dialogUrl(user, implicit()));
    const form = formOf(page);
    const wrong = await answer(user, form, { user, password: 'not the password', decision: 'allow' });
    t.equal(wrong.status, 401);
    t.equal(wrong.headers.location, undefined, 'no redirect');
    t.match(wrong.text, /Wrong password/);
    const forged = await answer(user, `${form.slice(0, -3)}abc`, { user, password: PASSWORD, decision: 'allow' });
    t.equal(forged.status, 400, 'a changed form');
    t.match(forged.text, /too old or was changed/);
    const crossSite = await answer(user, form, { user, password: PASSWORD, decision: 'allow' }, { origin: 'https://evil.example' });
    t.equal(crossSite.status, 403, 'a form posted from another site');
    t.equal(crossSite.headers.location, undefined);
    const fetchSite = await answer(user, form, { user, password: PASSWORD, decision: 'allow' }, { 'sec-fetch-site': 'cross-site' });
    t.equal(fetchSite.status, 403);
    const otherUser = await answer('someone', form, { user, password: PASSWORD, decision: 'allow' });
    t.equal(otherUser.status, 400, "one user's form cannot be sent for another");
    for (let i = 0; i < 4; i++) await answer(user, form, { user, password: 'still wrong', decision: 'allow' });
    const throttled = await answer(user, form, { user, password: PASSWORD, decision: 'allow' });
    t.equal(throttled.status, 429, 'five tries per address and account, then refused, even with the right password');
    t.match(throttled.text, /too many sign-in tries/);
  });

  t.test('draft-26 §11 code flow with PKCE (RFC 7636): the code once, with the right verifier, for a token', async (t) => {
    const user = await account('code');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = { ...implicit({ response_type: 'code', state: 'c-3' }), code_challenge: challenge, code_challenge_method: 'S256' };
    const codeFor = async () => location(await allow(user, query)).searchParams.get('code')!;
    const exchange = (code: string, codeVerifier: string) =>
      http(`${base()}token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: APP, code_verifier: codeVerifier }).toString(),
      });
    const back = await allow(user, query);
    t.equal(back.status, 302);
    t.equal(location(back).searchParams.get('state'), 'c-3');
    t.equal(location(back).hash, '', 'the code flow answers in the query');
    const code = location(back).searchParams.get('code')!;
    const badVerifier = await exchange(code, randomBytes(32).toString('base64url'));
    t.equal(badVerifier.status, 400);
    t.equal(badVerifier.json.error, 'invalid_grant');
    const good = await exchange(await codeFor(), verifier);
    t.equal(good.status, 200, good.text);
    t.equal(good.headers['access-control-allow-origin'], '*', 'the app may call the token endpoint from its origin');
    t.equal(good.json.token_type, 'bearer');
    t.equal(good.json.scope, 'notes:rw');
    const put = await http(storage(user, '/notes/c.txt'), { method: 'PUT', headers: { ...bearer(good.json.access_token), 'content-type': 'text/plain' }, body: 'c' });
    t.equal(put.status, 201);
    const once = await codeFor();
    t.equal((await exchange(once, verifier)).status, 200);
    const again = await exchange(once, verifier);
    t.equal(again.status, 400, 'a code works once');
    t.equal(again.json.error, 'invalid_grant');
    const grantType = await http(`${base()}token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
    t.equal(grantType.json.error, 'unsupported_grant_type');
  });

  t.test('approvals are listed and revocable; a revoked app token stops working at once', async (t) => {
    const user = await account('rev');
    const appToken = fragment(await allow(user, implicit())).get('access_token')!;
    const write = (token: string) => http(storage(user, '/notes/r.txt'), { method: 'PUT', headers: { ...bearer(token), 'content-type': 'text/plain' }, body: 'r' });
    t.ok([200, 201].includes((await write(appToken)).status), 'the token works');
    const signIn = await http(`${base()}sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    const own = signIn.json.token;
    const listed = await http(`${base()}apps/${user}`, { headers: bearer(own) });
    t.equal(listed.status, 200, listed.text);
    t.equal(listed.json.apps.length, 1);
    t.match(listed.json.apps[0], { client: APP, scopes: ['notes:rw'] });
    const byApp = await http(`${base()}apps/${user}`, { headers: bearer(appToken) });
    t.equal(byApp.status, 403, "an app's token cannot manage approvals");
    t.equal(byApp.json.code, 'app_token');
    const stranger = await http(`${base()}apps/${user}`, { headers: bearer(await scopedToken('someone', target().secret, 'read')) });
    t.equal(stranger.json.code, 'forbidden', "another user's token cannot see them");
    const revoked = await http(`${base()}apps/${user}/${listed.json.apps[0].id}`, { method: 'DELETE', headers: bearer(own) });
    t.equal(revoked.status, 204);
    const after = await write(appToken);
    t.equal(after.status, 401, 'the revoked token is refused at once');
    t.equal(after.json.code, 'token_revoked');
    t.same((await http(`${base()}apps/${user}`, { headers: bearer(own) })).json.apps, [], 'no approvals left');
    t.equal((await http(`${base()}apps/${user}/${listed.json.apps[0].id}`, { method: 'DELETE', headers: bearer(own) })).json.code, 'not_found');
    const fresh = fragment(await allow(user, implicit())).get('access_token')!;
    t.ok([200, 201].includes((await write(fresh)).status), 'allowing again gives a working token');
    t.equal((await write(appToken)).status, 401, 'the old one stays revoked');
  });
}

/** A target whose accounts and history are reached with the `bdfu` CLI on its settings file. */
export function cliTarget(baseUrl: string, config: string, secret: string, run: (args: string[], options?: { input?: string }) => ReturnType<typeof bdfu> = bdfu): OAuthTarget {
  return {
    baseUrl,
    secret,
    addAccount: async (name, password, scopes = 'read') => {
      const added = await run(['users', 'add', name, config, '--scope', scopes, '--password-stdin'], { input: `${password}\n` });
      if (added.code !== 0) throw new Error(added.stderr);
    },
    history: async (user, path) => {
      const shown = await run(['history', user, path, config, '--json']);
      if (shown.code !== 0) throw new Error(shown.stderr);
      return JSON.parse(shown.stdout).versions;
    },
  };
}
