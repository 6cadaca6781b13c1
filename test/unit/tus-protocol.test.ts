import t from 'tap';
import { HttpError } from '../../src/core/http-error.js';
import { checkVersion, formatMetadata, parseChecksum, parseConcat, parseMetadata } from '../../src/routes/tus/protocol.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof HttpError ? `${error.status} ${error.code}` : String(error);
  }
  return 'ok';
};
const b64 = (text: string) => Buffer.from(text).toString('base64');

t.test('Tus-Resumable: 1.0.0 or 412 naming the version spoken', async (t) => {
  t.equal(code(() => checkVersion({ 'tus-resumable': '1.0.0' })), 'ok');
  t.equal(code(() => checkVersion({})), '412 tus_version_unsupported');
  t.equal(code(() => checkVersion({ 'tus-resumable': '0.2.2' })), '412 tus_version_unsupported');
});

t.test('Upload-Metadata: base64 pairs, keys unique, values UTF-8; anything else 400', async (t) => {
  t.same({ ...parseMetadata(`filename ${b64('a b,c.txt')},filetype ${b64('text/plain')},empty`) }, { filename: 'a b,c.txt', filetype: 'text/plain', empty: '' });
  t.same({ ...parseMetadata(undefined) }, {});
  for (const bad of ['filename abc', 'filename !!!!', `a ${b64('x')},a ${b64('y')}`, `k ${b64('x')} extra`, `k ${Buffer.from([0xff, 0xfe]).toString('base64')}`]) {
    t.equal(code(() => parseMetadata(bad)), '400 bad_metadata', bad);
  }
  const pairs = { filename: 'été.txt', flag: '' };
  t.same({ ...parseMetadata(formatMetadata(pairs)) }, pairs, 'formatted back as given');
});

t.test('Upload-Checksum: sha1, md5, sha256 with a base64 digest', async (t) => {
  const parsed = parseChecksum(`sha256 ${Buffer.alloc(32, 1).toString('base64')}`)!;
  t.equal(parsed.algorithm, 'sha256');
  t.same(parsed.digest, Buffer.alloc(32, 1));
  t.equal(code(() => parseChecksum('crc32 AAAA')), '400 checksum_algorithm_unsupported');
  t.equal(code(() => parseChecksum('sha1 not base64!')), '400 bad_checksum');
  t.equal(parseChecksum(undefined), undefined);
});

t.test('Upload-Concat: partial, or final with upload URLs of this server', async (t) => {
  const a = 'a'.repeat(32);
  const b = 'b'.repeat(32);
  t.same(parseConcat('partial'), { kind: 'partial' });
  t.same(parseConcat(`final;https://x.example/bdfu/tus/${a} /bdfu/tus/${b}`), { kind: 'final', ids: [a, b] });
  t.equal(code(() => parseConcat('final;')), '400 bad_concat');
  t.equal(code(() => parseConcat('final;/files/x')), '400 bad_concat');
  t.equal(code(() => parseConcat(`final;/tus/${a} /tus/${a}`)), '400 bad_concat');
  t.equal(code(() => parseConcat('whole')), '400 bad_concat');
});
