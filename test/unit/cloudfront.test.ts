import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import t from 'tap';
import { cannedPolicy, cloudfrontBase64, cloudfrontSigner } from '../../src/cdn/cloudfront.js';

// The example in CloudFront's developer guide, "Create a signed URL using a canned policy":
// https://d111111abcdef8.cloudfront.net/image.jpg?…&Expires=1767290400&Signature=…&Key-Pair-Id=K2JCJMDEHXQW5F
// (its signature is a placeholder — it contains "EXAMPLE" — so only the shape can be a fixture).
const AWS_RESOURCE = 'https://d111111abcdef8.cloudfront.net/image.jpg';
const AWS_EXPIRES = 1767290400;

t.test('the canned policy is the documented statement, without white space', async (t) => {
  t.equal(cannedPolicy(AWS_RESOURCE, AWS_EXPIRES),
    '{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}');
});

t.test('CloudFront base64', async (t) => {
  t.equal(cloudfrontBase64(Buffer.from([0xfb, 0xff, 0xfe])), '-~~-', '+ → -, / → ~');
  t.equal(cloudfrontBase64(Buffer.from([0xff])), '~w__', '= → _');
});

t.test('a signed URL in the documented shape that verifies with the public key', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = cloudfrontSigner({ keyPairId: 'K2JCJMDEHXQW5F', privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }), domain: 'd111111abcdef8.cloudfront.net' });
  const url = signer.sign('/image.jpg', AWS_EXPIRES);
  const match = /^https:\/\/d111111abcdef8\.cloudfront\.net\/image\.jpg\?Expires=1767290400&Signature=([A-Za-z0-9~_-]+)&Key-Pair-Id=K2JCJMDEHXQW5F$/.exec(url);
  t.ok(match, url);
  const signature = Buffer.from(match![1]!.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
  const policy = '{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}';
  t.ok(verify('RSA-SHA1', Buffer.from(policy), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), signature), 'RSA-SHA1 over the policy');
  t.notOk(verify('RSA-SHA1', Buffer.from(policy.replace('1767290400', '1767290401')), publicKey, signature), 'the expiry is covered');
});
