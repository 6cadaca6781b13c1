import { createHmac } from 'node:crypto';
import t from 'tap';
import { signatureHeader, verifySignature } from '../../src/hooks/signature.js';

const SECRET = 'a webhook secret of some length';

t.test('the signature is HMAC-SHA256 over "t.body", as the README says', async (t) => {
  const body = '{"event":"afterUpload"}';
  const header = signatureHeader(SECRET, body, 1_700_000_000);
  t.equal(header, `t=1700000000,v1=${createHmac('sha256', SECRET).update(`1700000000.${body}`).digest('hex')}`);
  t.ok(verifySignature(SECRET, header, body, 300, 1_700_000_100));
  t.notOk(verifySignature(SECRET, header, `${body} `, 300, 1_700_000_100), 'another body');
  t.notOk(verifySignature('another secret of some length', header, body, 300, 1_700_000_100), 'another secret');
  t.notOk(verifySignature(SECRET, header, body, 300, 1_700_000_301), 'too old: a replay');
  t.notOk(verifySignature(SECRET, header.replace('t=1700000000', 't=1700000001'), body, 300, 1_700_000_000), 'another time');
  t.notOk(verifySignature(SECRET, 'v1=abc', body), 'not a signature at all');
});
