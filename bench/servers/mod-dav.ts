// The peer: what an operator could run instead of bdfu. Debian's Apache with mod_dav and
// mod_dav_fs taking PUTs into a directory, as a private instance (own configuration, loopback
// port, pid and log files; nothing under /etc/apache2 read), stopped by its owner's teardown.
// No authentication, no hashing, no fsync: mod_dav_fs writes a temporary file and renames it.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { APACHE_BIN, giveToWebUser, reachableTempDir, startApache } from '../lib/apache.js';
import { cleanEnv } from '../lib/processes.js';
import type { Owner } from '../lib/teardowns.js';

export interface ModDav {
  /** http://127.0.0.1:PORT/dav/ : PUT <url><name> stores the body as <name>. */
  url: string;
  dir: string;
  /** Removes what was PUT (between runs, as the bench empties bdfu's storage). */
  clear(): void;
}

/** Why the peer cannot run here, or undefined when it can. */
export function modDavMissing(): string | undefined {
  if (!existsSync(APACHE_BIN)) return 'apache2 is not installed';
  if (!existsSync('/usr/lib/apache2/modules/mod_dav_fs.so')) return 'mod_dav_fs is not installed';
  return undefined;
}

export async function startModDav(owner: Owner): Promise<ModDav> {
  const root = reachableTempDir('bdfu-bench-dav-');
  const dir = join(root, 'files');
  const locks = join(root, 'locks');
  mkdirSync(dir);
  mkdirSync(locks);
  owner.teardown(() => rmSync(root, { recursive: true, force: true }));
  // Started as root, Apache serves as www-data: the directory must be that user's.
  giveToWebUser(root);
  const apache = await startApache(owner, {
    mpm: 'event',
    modules: ['dav', 'dav_fs'],
    env: cleanEnv(),
    removeOnStop: true,
    config: () => [
      // Debian's own mpm_event.conf: a fixed pool for 16 clients (a process ended as spare would
      // close keep-alive connections under the clients' feet).
      'StartServers 2\nServerLimit 16\nThreadLimit 64\nThreadsPerChild 25\nMaxRequestWorkers 150\nMinSpareThreads 25\nMaxSpareThreads 75\nMaxConnectionsPerChild 0',
      `DavLockDB ${locks}/lockdb`,
      // Keep-alive connections are not closed after 100 requests (Apache's default), as bdfu's are not.
      'KeepAlive On',
      'MaxKeepAliveRequests 0',
      `Alias /dav/ ${dir}/`,
      `<Directory ${dir}>`,
      '    Dav On',
      '    Require all granted',
      // Apache's default limit is 1 GiB; the large upload may be that or more.
      '    LimitRequestBody 0',
      '</Directory>',
      '',
    ].join('\n'),
  });
  const clear = () => {
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
  };
  return { url: `${apache.origin}/dav/`, dir, clear };
}
