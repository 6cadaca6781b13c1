import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startCgiHost } from '../helpers/cgi-host.js';
import { makeFixture } from '../helpers/fixture.js';
import { http } from '../helpers/http.js';
import { CGI_SCRIPT } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { startBdfu } from '../helpers/serve.js';
import { linkSignature } from '../helpers/signed-link.js';
import { bearer, scopedToken } from '../helpers/tokens.js';
import { upload } from './files-suite.js';

const DOMAIN = 'd111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const probe = makeFixture('cdn-keys');
const keyFile = join(probe.dir, 'cloudfront-private.pem');
const publicFile = join(probe.dir, 'cloudfront-public.pem');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }));
writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
const fixture = makeFixture('cdn', { CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY_FILE: keyFile, CLOUDFRONT_DOMAIN: DOMAIN });

/**
 * Independent of src/: CloudFront's developer guide, "Create a signed URL using a canned policy":
 * the policy is {"Statement":[{"Resource":"<base URL>","Condition":{"DateLessThan":{"AWS:EpochTime":<expires>}}}]}
 * with no white space, signed with RSA-SHA1; the signature is base64 with + → -, = → _, / → ~.
 */
function cloudfrontAccepts(signedUrl: string): { ok: boolean; policy: string; signature: Buffer } {
  const url = new URL(signedUrl);
  const expires = url.searchParams.get('Expires');
  const base = `${url.origin}${url.pathname}`;
  const policy = `{"Statement":[{"Resource":"${base}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`;
  const encoded = url.searchParams.get('Signature') ?? '';
  const signature = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
  return { ok: verify('RSA-SHA1', Buffer.from(policy), createPublicKey(readFileSync(publicFile)), signature), policy, signature };
}

const server = await startBdfu([fixture.config]);
const cgi = await startCgiHost({ command: [CGI_SCRIPT], env: { BDFU_SETTINGS: fixture.config } });
t.teardown(async () => {
  await server.stop();
  await cgi.close();
});

for (const [mode, baseUrl] of [['node', server.url], ['cgi', cgi.url]] as const) {
  t.test(`CDN mode (${mode}): authorised GETs answer 303 to a CloudFront signed URL`, async (t) => {
    const token = await scopedToken('cdnuser', fixture.secret, 'upload read');
    const up = await upload(baseUrl, token, 'served by the CDN', { fields: { download_token: '1' } });
    t.equal(up.status, 201, up.text);
    const fileUrl = `${baseUrl}files/cdnuser/${up.json.id}`;
    const before = Math.floor(Date.now() / 1000);

    const res = await http(fileUrl, { headers: bearer(token) });
    t.equal(res.status, 303, '303 See Other');
    t.equal(res.headers['cache-control'], 'no-store', 'the redirect is never cached');
    const location = new URL(String(res.headers.location));
    t.equal(location.origin, `https://${DOMAIN}`, 'to the distribution');
    t.equal(location.pathname, `/cdnuser/${up.json.id}`, 'the file as <user>/<id>');
    t.same([...location.searchParams.keys()], ['Expires', 'Signature', 'Key-Pair-Id'], 'canned-policy parameters, in order');
    t.equal(location.searchParams.get('Key-Pair-Id'), KEY_PAIR_ID);
    const expires = Number(location.searchParams.get('Expires'));
    t.ok(expires >= before + 300 && expires <= before + 400, 'valid for CLOUDFRONT_URL_SECONDS (300)');
    t.match(location.searchParams.get('Signature'), /^[A-Za-z0-9~_-]+$/, 'CloudFront\'s URL-safe base64 (no +, = or /)');
    const checked = cloudfrontAccepts(String(res.headers.location));
    t.ok(checked.ok, 'the signature verifies with the public key over the documented canned policy');
    t.equal(checked.signature.length, 256, 'an RSA-2048 signature');

    // And once more with another implementation altogether: openssl.
    writeFileSync(join(fixture.dir, `${mode}-policy.json`), checked.policy);
    writeFileSync(join(fixture.dir, `${mode}-signature.bin`), checked.signature);
    const openssl = await run('openssl', ['dgst', '-sha1', '-verify', publicFile, '-signature', join(fixture.dir, `${mode}-signature.bin`), join(fixture.dir, `${mode}-policy.json`)]);
    t.equal(openssl.stdout.trim(), 'Verified OK', 'openssl agrees');
    const tampered = String(res.headers.location).replace(`/cdnuser/${up.json.id}`, '/cdnuser/other');
    t.notOk(cloudfrontAccepts(tampered).ok, 'the signature covers the resource');

    const head = await http(fileUrl, { method: 'HEAD', headers: bearer(token) });
    t.equal(head.status, 303, 'HEAD redirects too');
    const viaToken = await http(`${fileUrl}?token=${up.json.downloadToken}`);
    t.equal(viaToken.status, 303, 'a download token redirects');
    t.ok(cloudfrontAccepts(String(viaToken.headers.location)).ok);
    const path = `/files/cdnuser/${up.json.id}`;
    const linkExpires = Math.floor(Date.now() / 1000) + 60;
    const viaLink = await http(`${fileUrl}?expires=${linkExpires}&signature=${linkSignature(fixture.secret, path, linkExpires)}`);
    t.equal(viaLink.status, 303, 'a signed link redirects');
    const byName = await http(`${baseUrl}files/cdnuser/by-name/file.bin`, { headers: bearer(token) });
    t.equal(byName.status, 303, 'by-name redirects');

    const stranger = await http(fileUrl, { headers: bearer(await scopedToken('stranger', fixture.secret, 'read')) });
    t.equal(stranger.status, 403, 'no redirect without authorisation');
    t.notOk(stranger.headers.location);
    const wrongToken = await http(`${fileUrl}?token=nope`);
    t.equal(wrongToken.status, 403, 'nor with a wrong download token');
    t.notOk(wrongToken.headers.location);
    const missing = await http(`${baseUrl}files/cdnuser/${'a'.repeat(32)}`, { headers: bearer(token) });
    t.equal(missing.status, 404, 'nor for a file that does not exist');
  });
}

t.test('CDN settings are checked at start-up', async (t) => {
  const partial = makeFixture('cdn-partial', { CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_DOMAIN: DOMAIN });
  const started = startBdfu([partial.config]);
  await t.rejects(started, /CDN mode needs CLOUDFRONT_KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY_FILE, CLOUDFRONT_DOMAIN together; missing: CLOUDFRONT_PRIVATE_KEY_FILE/);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecFile = join(partial.dir, 'ec.pem');
  writeFileSync(ecFile, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const notRsa = makeFixture('cdn-ec', { CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY_FILE: ecFile, CLOUDFRONT_DOMAIN: DOMAIN });
  await t.rejects(startBdfu([notRsa.config]), /must hold an RSA key/);
  const noFile = makeFixture('cdn-nofile', { CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY_FILE: join(partial.dir, 'missing.pem'), CLOUDFRONT_DOMAIN: DOMAIN });
  await t.rejects(startBdfu([noFile.config]), /is not a readable PEM private key \(ENOENT\)/);
  const badDomain = makeFixture('cdn-domain', { CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY_FILE: keyFile, CLOUDFRONT_DOMAIN: 'https://x/y' });
  await t.rejects(startBdfu([badDomain.config]), /CLOUDFRONT_DOMAIN must be a host name/);
});
