// The Node binaries the single executable is made from: official builds, as the npm registry
// ships them in node-linux-<arch>, pinned by version and by the tarball's sha512.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NODE_VERSION = '20.20.2';

const PACKAGES = {
  x64: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
  arm64: 'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==',
};

export const ARCHES = Object.keys(PACKAGES);

/**
 * Path to the pinned `node` for `arch`, fetched once with `npm pack` (through npm's own cache)
 * into `cacheDir`, checked against the pinned sha512, and unpacked.
 *
 * Not a devDependency on purpose: the packages declare os/cpu, so npm ci would refuse to install
 * the project anywhere but linux-x64, and their `bin` would put a `node` first on the PATH of
 * every npm script. (`integrity` is a parameter for the test that checks the check.)
 */
export async function pinnedNode(arch, cacheDir, integrity = PACKAGES[arch]) {
  if (!integrity) throw new Error(`no pinned Node binary for ${arch} (have: ${ARCHES.join(', ')})`);
  const name = `node-linux-${arch}`;
  const dir = join(cacheDir, `${name}-${NODE_VERSION}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const { stdout } = await run('npm', ['pack', `${name}@${NODE_VERSION}`, '--json', '--pack-destination', staging], {
      cwd: staging,
      maxBuffer: 1 << 26,
    });
    const tarball = join(staging, JSON.parse(stdout)[0].filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== integrity) throw new Error(`${name}@${NODE_VERSION}: the registry's tarball is not the pinned one (${actual})`);
    await run('tar', ['-xzf', tarball, '-C', staging, 'package/bin/node']);
    rmSync(tarball);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another build fetched it at the same time: theirs is as good as ours.
      if (!existsSync(binary)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
