import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CLI, cleanEnv, NODE, startServer, timeProcess, BASELINE_SERVER, type Server } from './processes.js';

/** A scratch directory with a bdfu.cfg, a storage directory and one for the baseline server. */
export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'bdfu-bench-'));
  readonly storageDir = join(this.dir, 'storage');
  readonly baselineDir = join(this.dir, 'baseline');
  readonly config = join(this.dir, 'bdfu.cfg');
  readonly secret = randomBytes(24).toString('hex');

  constructor() {
    chmodSync(this.dir, 0o755);
    // The benchmark's uploads may be 1 GiB or more, over the default MAX_UPLOAD_SIZE.
    writeFileSync(this.config, `JWT_SECRET_KEY = '${this.secret}'\nSTORAGE_DIR = '${this.storageDir}'\nMAX_UPLOAD_SIZE = ${2 ** 40}\n`);
    this.clean();
  }

  startBdfu(config = this.config): Promise<Server> {
    return startServer([NODE, CLI, 'serve', config, '--port', '0'], cleanEnv());
  }

  /**
   * Another bdfu.cfg in the workspace, `<name>.cfg`, with the same secret (so `token()` serves it
   * too), its own storage directory `<name>-storage` (made empty) and `settings` on top.
   */
  configWith(name: string, settings: Record<string, string | number>): { config: string; storageDir: string } {
    const storageDir = join(this.dir, `${name}-storage`);
    rmSync(storageDir, { recursive: true, force: true });
    mkdirSync(storageDir, { mode: 0o755 });
    const config = join(this.dir, `${name}.cfg`);
    const all: Record<string, string | number> = { JWT_SECRET_KEY: this.secret, STORAGE_DIR: storageDir, MAX_UPLOAD_SIZE: 2 ** 40, ...settings };
    writeFileSync(config, Object.entries(all).map(([key, value]) => `${key} = ${typeof value === 'number' ? value : `'${value}'`}\n`).join(''));
    return { config, storageDir };
  }

  startBaseline(): Promise<Server> {
    return startServer([NODE, BASELINE_SERVER, this.baselineDir], cleanEnv());
  }

  /** A token from `bdfu gen-token`; `scope` needs a bdfu that knows --scope. */
  async token(user: string, scope?: string): Promise<string> {
    const args = [NODE, CLI, 'gen-token', user, this.secret, '--expires-in', '86400', ...(scope ? ['--scope', scope] : [])];
    const run = await timeProcess(args, cleanEnv());
    if (run.code !== 0) throw new Error(`bdfu gen-token failed: ${run.stderr}`);
    return run.stdout.trim();
  }

  /** Empties both storage directories between runs (gigabytes add up). */
  clean(): void {
    for (const dir of [this.storageDir, this.baselineDir]) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
