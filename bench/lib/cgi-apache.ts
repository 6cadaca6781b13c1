import { existsSync, rmSync } from 'node:fs';
import type { Workspace } from './bdfu.js';
import { APACHE_BIN, giveToWebUser, includeSnippet, reachableTempDir, scriptHome, startApache } from './apache.js';
import { cleanEnv } from './processes.js';
import type { Owner } from './teardowns.js';

export interface CgiHost {
  /** http://127.0.0.1:PORT/files/ : cgi-bin/bdfu answers below it. */
  endpoint: string;
  /** Its STORAGE_DIR (owned by Apache's user). */
  storageDir: string;
  /** Empties the storage between runs. */
  clear(): void;
}

/**
 * cgi-bin/bdfu behind a private Apache (event MPM + mod_cgid, the shipped bdfu-cgi.conf), as the
 * `apache` measure runs it, with a storage of its own; a string saying why when apache2 is missing.
 */
export async function startCgiHost(ws: Workspace, owner: Owner, name: string): Promise<CgiHost | string> {
  if (!existsSync(APACHE_BIN)) return 'apache2 is not installed';
  const work = reachableTempDir(`bdfu-bench-${name}-`);
  owner.teardown(() => rmSync(work, { recursive: true, force: true }));
  const { config, storageDir } = ws.configWith(name, {});
  giveToWebUser(storageDir);
  const apache = await startApache(owner, {
    mpm: 'event',
    env: cleanEnv(),
    removeOnStop: true,
    config: () => includeSnippet('bdfu-cgi.conf', { BDFU_HOME: scriptHome(work, 'home'), BDFU_CONFIG: config, BDFU_URL: '/files' }),
  });
  return {
    endpoint: `${apache.origin}/files/`,
    storageDir,
    clear: () => {
      ws.configWith(name, {});
      giveToWebUser(storageDir);
    },
  };
}
