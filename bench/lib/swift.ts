import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import type { Owner } from './teardowns.js';
import { accepts, freeLoopbackPort } from './free-port.js';
import { ROOT } from './root.js';

const TEMPLATES = join(ROOT, 'test/fixtures/swift');
const SERVERS = ['account', 'container', 'object', 'proxy'] as const;
type Server = (typeof SERVERS)[number];
const RING_SERVERS = ['account', 'container', 'object'] as const;

export interface Swift {
  /** http://127.0.0.1:PORT, the s3api endpoint (path-style). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Created empty for this run. */
  bucket: string;
  dir: string;
  /** The settings a bdfu instance needs for this endpoint (BDFU_* names without the prefix). */
  settings: Record<string, string>;
  /** Creates another empty bucket (a fresh storage for one test). */
  createBucket(name: string): Promise<void>;
  /** Stops every Swift process (memcached too); requests get connection refused until start(). */
  stop(): Promise<void>;
  /** Starts them again on the same ports and data, and waits until the endpoint answers (running: nothing to do). */
  start(): Promise<void>;
  log(server: Server | 'memcached'): string;
  /** Stops everything and removes the directory (also done in the owner's teardown). */
  destroy(): Promise<void>;
}

function checkInstalled(): void {
  const missing = ['swift-proxy-server', 'swift-account-server', 'swift-container-server', 'swift-object-server', 'swift-ring-builder', 'memcached']
    .filter((name) => !existsSync(`/usr/bin/${name}`));
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not installed: apt-get install swift-proxy swift-account swift-container swift-object memcached ` +
      '(.ci/run installs what .ci/apt-packages lists)');
  }
}

/** One-replica rings naming this instance's ports (the ports are in the rings, so each instance builds its own). */
function buildRings(etc: string, ports: Record<Server, number>): void {
  for (const server of RING_SERVERS) {
    const builder = `${server}.builder`;
    for (const args of [[builder, 'create', '10', '1', '1'], [builder, 'add', `r1z1-127.0.0.1:${ports[server]}/d1`, '100'], [builder, 'rebalance']]) {
      const ran = spawnSync('swift-ring-builder', args, { cwd: etc, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      // rebalance exits 1 with a warning on a one-device ring; the ring file is what matters.
      if (ran.status !== 0 && !(args[1] === 'rebalance' && existsSync(join(etc, `${server}.ring.gz`)))) {
        throw new Error(`swift-ring-builder ${args.join(' ')} failed:\n${ran.stdout}${ran.stderr}`);
      }
    }
  }
}

/**
 * A private OpenStack Swift with its s3api on free loopback ports (proxy, account, container,
 * object, memcached), its configuration made from test/fixtures/swift/ in a temporary directory
 * (nothing under /etc/swift is read), and an empty bucket. Stopped and removed in the
 * owner's teardown (when `owner` is given) and when this process exits. About 270 MB RSS while it runs.
 */
export async function startSwift(owner?: Owner, options: { bucket?: string } = {}): Promise<Swift> {
  checkInstalled();
  for (let attempt = 0; ; attempt++) {
    try {
      const swift = await startOnce(options.bucket ?? 'bdfu-test');
      owner?.teardown(() => swift.destroy());
      return swift;
    } catch (error) {
      if (attempt >= 2 || !(error instanceof PortTaken)) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnce(bucket: string): Promise<Swift> {
  const dir = mkdtempSync(join(tmpdir(), 'bdfu-swift-'));
  const etc = join(dir, 'etc');
  for (const sub of ['etc', 'srv/d1', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const ports = {} as Record<Server, number>;
  for (const server of SERVERS) ports[server] = await freeLoopbackPort();
  const memcachedPort = await freeLoopbackPort();
  const user = userInfo().username;
  for (const name of readdirSync(TEMPLATES)) {
    const text = readFileSync(join(TEMPLATES, name), 'utf8')
      .replaceAll('@DIR@', dir).replaceAll('@USER@', user).replaceAll('@MEMCACHED_PORT@', String(memcachedPort))
      .replace(/@(ACCOUNT|CONTAINER|OBJECT|PROXY)_PORT@/g, (_, server: string) => String(ports[server.toLowerCase() as Server]));
    writeFileSync(join(etc, name), text);
  }
  buildRings(etc, ports);

  const children = new Map<string, ChildProcess>();
  const logPath = (name: string) => join(dir, 'log', `${name}.log`);
  const log = (name: string) => (existsSync(logPath(name)) ? readFileSync(logPath(name), 'utf8') : '');
  const launch = (name: string, command: string, args: string[]) => {
    const out = openSync(logPath(name), 'a');
    // Its own process group, so that a signal to the test's group does not reach it first.
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', out, out], detached: true, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
    closeSync(out);
    children.set(name, child);
  };
  const killOnExit = () => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const stop = async () => {
    const running = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(running.map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }));
    children.clear();
  };

  const start = async () => {
    if (children.size > 0) return;
    launch('memcached', 'memcached', [...(user === 'root' ? ['-u', 'root'] : []), '-l', '127.0.0.1', '-p', String(memcachedPort), '-m', '16']);
    for (const server of SERVERS) launch(server, `swift-${server}-server`, [join(etc, `${server}-server.conf`), '-v']);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const exited = [...children.entries()].find(([, c]) => c.exitCode !== null || c.signalCode !== null);
      if (exited) {
        const [name] = exited;
        const text = log(name);
        await stop();
        if (/Address already in use|failed to listen/i.test(text)) throw new PortTaken(text);
        throw new Error(`Swift's ${name} exited while starting:\n${text.slice(-3000)}`);
      }
      if (await ready()) return;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Swift did not come up in 90 s (in ${dir}):\n${SERVERS.map((s) => `${s}: ${log(s).slice(-800)}`).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const ready = async () => {
    for (const server of RING_SERVERS) if (!(await accepts(ports[server]))) return false;
    if (!(await accepts(memcachedPort))) return false;
    try {
      const response = await fetch(`http://127.0.0.1:${ports.proxy}/healthcheck`);
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };

  const destroy = async () => {
    process.off('exit', killOnExit);
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };

  const endpoint = `http://127.0.0.1:${ports.proxy}`;
  const keys = { accessKeyId: 'test:tester', secretAccessKey: 'testing', region: 'us-east-1' };
  try {
    await start();
    await createBucket(endpoint, bucket, keys);
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    endpoint, ...keys, bucket, dir, stop, start, log, destroy,
    createBucket: (name: string) => createBucket(endpoint, name, keys),
    settings: {
      S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_REGION: keys.region, S3_ACCESS_KEY_ID: keys.accessKeyId,
      S3_SECRET_ACCESS_KEY: keys.secretAccessKey, S3_FORCE_PATH_STYLE: 'true',
    },
  };
}

/** PUT Bucket; the first requests after start may meet a proxy still warming up, so it retries. */
async function createBucket(endpoint: string, bucket: string, keys: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<void> {
  const client = new AwsClient({ ...keys, service: 's3' });
  let last = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const response = await client.fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
      const text = await response.text();
      if (response.ok) return;
      last = `${response.status} ${text}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`could not create the bucket ${bucket} at ${endpoint}: ${last}`);
}
