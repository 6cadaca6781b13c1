import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where `bdfu upload` remembers the URL of a resumable (tus) upload, so `--resume` in a new
 * process continues it: one small JSON file per upload under $XDG_CACHE_HOME/bdfu/uploads
 * (~/.cache/bdfu/uploads), named by a hash of the endpoint, the file's absolute path, size and
 * modification time. A changed file is a new upload. The file goes when the upload is done.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'bdfu', 'uploads');
}

export interface FileIdentity {
  endpoint: string;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface UploadState extends FileIdentity {
  /** The upload's URL, as the server's Location said. */
  url: string;
  created: string;
}

function statePath(file: FileIdentity, dir: string): string {
  const key = createHash('sha256').update(JSON.stringify([file.endpoint, resolve(file.path), file.size, Math.trunc(file.mtimeMs)])).digest('hex');
  return join(dir, `${key.slice(0, 32)}.json`);
}

export async function loadState(file: FileIdentity, dir = stateDir()): Promise<UploadState | undefined> {
  try {
    const state = JSON.parse(await readFile(statePath(file, dir), 'utf8')) as UploadState;
    return typeof state.url === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

export async function saveState(state: UploadState, dir = stateDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = statePath(state, dir);
  await writeFile(`${path}.tmp`, JSON.stringify(state) + '\n', { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

export async function forgetState(file: FileIdentity, dir = stateDir()): Promise<void> {
  await rm(statePath(file, dir), { force: true });
}
