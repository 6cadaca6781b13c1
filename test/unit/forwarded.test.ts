import t from 'tap';
import { requestOrigin } from '../../src/adapters/forwarded.js';
import { parseTrustedProxies } from '../../src/config/trusted-proxies.js';

const direct = { protocol: 'http', host: '127.0.0.1:8080' } as const;
const apache = parseTrustedProxies(['127.0.0.1']);

t.test('from a peer that is not trusted, X-Forwarded-* are ignored', async (t) => {
  const origin = requestOrigin('203.0.113.9', { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-host': 'evil', 'x-forwarded-proto': 'https' }, direct, apache);
  t.same(origin, { remoteAddress: '203.0.113.9', protocol: 'http', host: '127.0.0.1:8080' });
  t.same(requestOrigin('127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, direct, parseTrustedProxies([])).remoteAddress, '127.0.0.1', 'nobody is trusted by default');
});

t.test('from a trusted proxy: the address it appended, the host and scheme the client used', async (t) => {
  const origin = requestOrigin('127.0.0.1', { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-host': 'files.example.org', 'x-forwarded-proto': 'https' }, direct, apache);
  t.same(origin, { remoteAddress: '198.51.100.7', protocol: 'https', host: 'files.example.org' });
  t.equal(requestOrigin('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }, direct, apache).remoteAddress, '198.51.100.7', 'IPv4-mapped peer');
});

t.test('what the client wrote itself is passed over', async (t) => {
  // The client sent "X-Forwarded-For: 6.6.6.6"; Apache appended the address it saw.
  const origin = requestOrigin('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7', 'x-forwarded-host': 'evil.example, files.example.org' }, direct, apache);
  t.equal(origin.remoteAddress, '198.51.100.7');
  t.equal(origin.host, 'files.example.org', 'the last host: the one the proxy added');
});

t.test('a chain of trusted proxies is walked to the first address that is not one', async (t) => {
  const chain = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8']);
  t.equal(requestOrigin('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.5' }, direct, chain).remoteAddress, '198.51.100.7');
  t.equal(requestOrigin('127.0.0.1', { 'x-forwarded-for': '10.0.0.9, 10.0.0.5' }, direct, chain).remoteAddress, '10.0.0.9', 'all trusted: the leftmost');
  t.equal(requestOrigin('127.0.0.1', { 'x-forwarded-for': 'unknown, 10.0.0.5' }, direct, chain).remoteAddress, '10.0.0.5', 'stops at what is not an address');
  t.equal(requestOrigin('127.0.0.1', {}, direct, chain).remoteAddress, '127.0.0.1', 'no header: the peer');
});

t.test('odd values of -Proto and -Host are not believed', async (t) => {
  const origin = requestOrigin('127.0.0.1', { 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'a b/c' }, direct, apache);
  t.equal(origin.protocol, 'http');
  t.equal(origin.host, '127.0.0.1:8080');
  t.equal(requestOrigin('127.0.0.1', { 'x-forwarded-host': '[::1]:8443', 'x-forwarded-proto': 'HTTPS' }, direct, apache).host, '[::1]:8443');
});
