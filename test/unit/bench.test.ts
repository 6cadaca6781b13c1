import t from 'tap';
import { parseOptions, parseSize } from '../../bench/lib/options.js';
import { markdownTable, row, textTable } from '../../bench/lib/report.js';
import { summarize } from '../../bench/lib/stats.js';

t.test('sizes are read as binary units', async (t) => {
  t.equal(parseSize('1G'), 1 << 30);
  t.equal(parseSize('256M'), 256 << 20);
  t.equal(parseSize('1.5g'), 1.5 * (1 << 30));
  t.equal(parseSize('512MiB'), 512 << 20);
  t.equal(parseSize('2097152'), 2 << 20);
  t.throws(() => parseSize('lots'), /not a size/);
  t.throws(() => parseSize('64K'), /below 1M/);
});

t.test('flags win over BENCH_* variables, which win over defaults', async (t) => {
  const defaults = parseOptions([], {});
  t.equal(defaults.size, 1 << 30);
  t.equal(defaults.runs, 3);
  t.equal(defaults.clients, 16);
  t.same([...defaults.only], ['upload', 'memory', 'small', 'cgi', 'apache', 'startup', 'download', 'tus'], 's3 only when asked for');
  t.equal(defaults.out, undefined, 'results go to bench/results.json');
  t.equal(parseOptions(['--out', '/tmp/r.json'], { BENCH_OUT: '/tmp/e.json' }).out, '/tmp/r.json');
  t.equal(parseOptions([], { BENCH_OUT: '/tmp/e.json' }).out, '/tmp/e.json');
  t.same([...parseOptions(['--only', 's3'], {}).only], ['s3']);
  t.throws(() => parseOptions(['--out'], {}), /--out needs a value/);
  const env = { BENCH_SIZE: '256M', BENCH_RUNS: '5', BENCH_ONLY: 'cgi' };
  const fromEnv = parseOptions([], env);
  t.equal(fromEnv.size, 256 << 20);
  t.equal(fromEnv.runs, 5);
  t.same([...fromEnv.only], ['cgi']);
  const flagged = parseOptions(['--size', '512M', '--runs=2', '--only', 'upload,memory'], env);
  t.equal(flagged.size, 512 << 20);
  t.equal(flagged.runs, 2);
  t.same([...flagged.only], ['upload', 'memory']);
  t.throws(() => parseOptions(['--only', 'speed'], {}), /unknown measure speed/);
  t.throws(() => parseOptions(['--runs', '0'], {}), /runs must be a whole number above 0/);
  t.throws(() => parseOptions(['--fast'], {}), /unknown argument --fast/);
});

t.test('median, min and max', async (t) => {
  t.match(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, samples: [3, 1, 2] });
  t.equal(summarize([4, 1, 3, 2]).median, 2.5);
  t.throws(() => summarize([]), /no samples/);
});

t.test('a row passes or fails its target by ratio or by value', async (t) => {
  const fast = row({ figure: 'f', unit: 'MiB/s', bdfu: summarize([95]), baseline: summarize([100]), target: { of: 'ratio', op: '>=', limit: 0.9 } });
  t.equal(fast.ratio, 0.95);
  t.equal(fast.pass, true);
  const slow = row({ figure: 'f', unit: 'MiB/s', bdfu: summarize([50]), baseline: summarize([100]), target: { of: 'ratio', op: '>=', limit: 0.9 } });
  t.equal(slow.pass, false);
  const big = row({ figure: 'm', unit: 'MiB', bdfu: summarize([81]), target: { of: 'value', op: '<=', limit: 80 } });
  t.equal(big.pass, false);
  t.equal(big.ratio, undefined);
  const unmeasured = row({ figure: 'd', unit: 'MiB/s', target: { of: 'ratio', op: '>=', limit: 0.9 }, note: 'not built' });
  t.equal(unmeasured.pass, undefined);
  const text = textTable([fast, slow, big, unmeasured]);
  t.match(text, /^figure\s+bdfu: median/);
  t.match(text, /FAIL/);
  t.match(text, /not measured/);
  t.match(text, /d \(not built\)/);
  const markdown = markdownTable([row({ figure: 'a | b', unit: 'ms', bdfu: summarize([1, 2, 3]) })]);
  t.match(markdown, /\| a \\\| b \| 2\.00 ms \(1\.00–3\.00\) \|/);
});

