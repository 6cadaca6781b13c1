import { STATUS_CODES } from 'node:http';
import t from 'tap';
import { STATUS_TEXT } from '../../src/http/status-text.js';
import { etagMatches, notModified, rangeStillValid } from '../../src/http/conditional.js';
import { attachment } from '../../src/http/content-disposition.js';
import { parseRange } from '../../src/http/range.js';

t.test('parseRange', async (t) => {
  const cases: Array<[string | undefined, number, unknown]> = [
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-0', 100, { kind: 'partial', range: { start: 0, end: 0 } }],
    ['bytes=0-99', 100, { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=50-', 100, { kind: 'partial', range: { start: 50, end: 99 } }],
    ['bytes=-1', 100, { kind: 'partial', range: { start: 99, end: 99 } }],
    ['bytes=-100', 100, { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=-500', 100, { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=90-500', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
    ['BYTES=1-2', 100, { kind: 'partial', range: { start: 1, end: 2 } }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=100-200', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-5', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-1', 100, { kind: 'whole' }],
    ['bytes=0-1,3-4', 100, { kind: 'whole' }],
    ['bytes=-', 100, { kind: 'whole' }],
    ['bytes=a-b', 100, { kind: 'whole' }],
    ['bytes=1.5-2', 100, { kind: 'whole' }],
    ['lines=1-2', 100, { kind: 'whole' }],
    ['', 100, { kind: 'whole' }],
  ];
  for (const [header, size, expected] of cases) t.same(parseRange(header, size), expected, `${header} of ${size}`);
});

t.test('conditional requests', async (t) => {
  const etag = '"abc"';
  const modified = new Date('2026-01-02T03:04:05.678Z');
  t.ok(etagMatches('"abc"', etag));
  t.ok(etagMatches('W/"abc"', etag), 'weak comparison');
  t.ok(etagMatches('"x", "abc"', etag));
  t.ok(etagMatches('*', etag));
  t.notOk(etagMatches('"abcd"', etag));
  t.ok(notModified({ 'if-modified-since': 'Fri, 02 Jan 2026 03:04:05 GMT' }, etag, modified), 'same second');
  t.notOk(notModified({ 'if-modified-since': 'Fri, 02 Jan 2026 03:04:04 GMT' }, etag, modified), 'a second earlier');
  t.notOk(notModified({ 'if-none-match': '"x"', 'if-modified-since': 'Fri, 02 Jan 2027 03:04:05 GMT' }, etag, modified), 'If-None-Match decides');
  t.notOk(notModified({}, etag, modified));
  t.ok(rangeStillValid({}, etag, modified));
  t.ok(rangeStillValid({ 'if-range': '"abc"' }, etag, modified));
  t.notOk(rangeStillValid({ 'if-range': 'W/"abc"' }, etag, modified), 'If-Range needs a strong match');
  t.notOk(rangeStillValid({ 'if-range': '"abc"' }, 'W/"abc"', modified), 'and a strong ETag');
  t.ok(rangeStillValid({ 'if-range': 'Fri, 02 Jan 2026 03:04:05 GMT' }, etag, modified), 'a date equal to Last-Modified');
  t.notOk(rangeStillValid({ 'if-range': 'Fri, 02 Jan 2026 03:04:06 GMT' }, etag, modified));
});

t.test('attachment: RFC 6266 with an ASCII fallback', async (t) => {
  const cases: Array<[string, string]> = [
    ['report.pdf', `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`],
    ['a b.txt', `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`],
    ['say "hi".txt', `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`],
    ['x\r\nSet-Cookie: a=b', `attachment; filename="x__Set-Cookie: a=b"; filename*=UTF-8''x__Set-Cookie%3A%20a%3Db`],
    ['../../etc/passwd', `attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`],
    ['C:\\temp\\evil.bat', `attachment; filename="C:_temp_evil.bat"; filename*=UTF-8''C%3A_temp_evil.bat`],
    ['Grüße.txt', `attachment; filename="Gr__e.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt`],
    ['日本.txt', `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`],
    ["it's (1)*.txt", `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`],
    ['100%.txt', `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`],
    ['..', `attachment; filename="download"; filename*=UTF-8''download`],
    ['', `attachment; filename="download"; filename*=UTF-8''download`],
    ['bad\uD800half', `attachment; filename="bad_half"; filename*=UTF-8''bad%EF%BF%BDhalf`],
  ];
  for (const [name, expected] of cases) t.equal(attachment(name), expected, JSON.stringify(name));
});

t.test("the CGI's reason phrases are node:http's", async (t) => {
  t.same(STATUS_TEXT, STATUS_CODES);
});
