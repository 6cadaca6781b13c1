// Benchmark, not part of `npm test`: per-request time of small uploads through Apache CGI
// (event + mod_cgid, prefork + mod_cgi), through the reverse proxy, and straight to bdfu serve,
// with Node's own start-up as the floor. Run: npm run build && npx tap --disable-coverage bench/apache-cgi.test.ts
// (BENCH_REQUESTS=200 for a longer run). It prints figures; it asserts only that uploads succeed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { includeSnippet, scriptHome, webFixture } from '../test/apache/cgi-suite.js';
import { reachableTempDir, startApache, type Mpm } from '../test/helpers/apache.js';
import { makeFixture } from '../test/helpers/fixture.js';
import { uploadFile } from '../test/helpers/http.js';
import { originalToken } from '../test/helpers/original-token.js';
import { startBdfu } from '../test/helpers/serve.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const WARMUP = 3;
const data = randomBytes(1024);

interface Figures { mean: number; median: number; p90: number }

function figures(ms: number[]): Figures {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, median: at(0.5), p90: at(0.9) };
}

async function sequentialUploads(t: Test, base: string, secret: string): Promise<Figures> {
  const token = await originalToken('bench', secret, { expiresIn: 3600 });
  const times: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const start = process.hrtime.bigint();
    const res = await uploadFile(base, token, data);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.status !== 201) throw new Error(`upload ${i} to ${base}: ${res.status} ${res.text}`);
    if (i >= WARMUP) times.push(ms);
  }
  t.pass(`${REQUESTS} uploads to ${base}`);
  return figures(times);
}
type Test = Parameters<Parameters<typeof t.test>[1]>[0];

function nodeStartup(): Figures {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + 20; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH } });
    if (i >= WARMUP) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return figures(times);
}

t.test('per-request time of small uploads', async (t) => {
  const results: Record<string, Figures> = {};
  const floor = nodeStartup();
  results['node -e 0 (start-up floor)'] = floor;

  const direct = makeFixture('bench-direct');
  const server = await startBdfu([direct.config], { uninstrumented: true });
  t.teardown(() => server.stop());
  results['bdfu serve, direct'] = await sequentialUploads(t, server.url, direct.secret);

  for (const mpm of ['event', 'prefork'] as Mpm[]) {
    const work = reachableTempDir(`bdfu-bench-${mpm}-`);
    const fixture = webFixture(`bench-${mpm}`);
    const proxied = makeFixture(`bench-proxy-${mpm}`, { BASE_PATH: '/proxied/' });
    const backend = await startBdfu([proxied.config], { uninstrumented: true });
    t.teardown(() => backend.stop());
    const apache = await startApache(t, {
      mpm,
      modules: ['proxy', 'proxy_http'],
      config: () => includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'home'), BDFU_CONFIG: fixture.config, BDFU_URL: '/files' }) +
        includeSnippet('bdfu-proxy.conf', { BDFU_URL: '/proxied', BDFU_BACKEND: new URL(backend.url).origin }),
    });
    const cgi = mpm === 'event' ? 'mod_cgid' : 'mod_cgi';
    results[`Apache ${mpm} + ${cgi} (bdfu-cgi.conf)`] = await sequentialUploads(t, `${apache.origin}/files/`, fixture.secret);
    results[`Apache ${mpm} reverse proxy → bdfu serve`] = await sequentialUploads(t, `${apache.origin}/proxied/`, proxied.secret);
    await apache.stop();
  }

  const directMean = results['bdfu serve, direct']!.mean;
  t.comment(`${REQUESTS} sequential 1 KiB uploads each (after ${WARMUP} warm-up); ms per request`);
  t.comment('| path | mean | median | p90 | mean / node start-up | mean / direct |');
  t.comment('| --- | --- | --- | --- | --- | --- |');
  for (const [name, f] of Object.entries(results)) {
    t.comment(`| ${name} | ${f.mean.toFixed(1)} | ${f.median.toFixed(1)} | ${f.p90.toFixed(1)} | ${(f.mean / floor.mean).toFixed(2)} | ${(f.mean / directMean).toFixed(1)} |`);
  }
});
