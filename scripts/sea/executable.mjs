// One single executable: a SEA blob of the bundle, injected into a stripped copy of pinned Node.
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import postject from 'postject';
import { pinnedNode } from './pinned-node.mjs';

const run = promisify(execFile);

export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const STRIP = { x64: 'x86_64-linux-gnu-strip', arm64: 'aarch64-linux-gnu-strip' };

/** The machine that builds: it runs the pinned Node of its own architecture to make the blob. */
export function hostArch() {
  if (process.platform !== 'linux' || !(process.arch in STRIP)) {
    throw new Error(`the single executable is built on Linux x64 or arm64, not ${process.platform}-${process.arch}`);
  }
  return process.arch;
}

/**
 * V8's code cache only loads on the architecture that made it (Node's SEA docs: cross-platform
 * blobs need useCodeCache and useSnapshot off), so only a binary for the host gets one.
 */
export function codeCacheFor(arch, wanted = true) {
  return wanted && arch === hostArch();
}

async function makeBlob({ main, codeCache, cacheDir }) {
  const dir = dirname(main);
  const name = `sea-${codeCache ? 'cache' : 'plain'}`;
  // The blob records `main` as given: relative, so the build directory does not end up in it.
  const config = { main: basename(main), output: `${name}.blob`, disableExperimentalSEAWarning: true, useCodeCache: codeCache, useSnapshot: false };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
  // The blob must come from the same Node version as the binary it goes into: the pinned one.
  await run(await pinnedNode(hostArch(), cacheDir), ['--experimental-sea-config', `${name}.json`], { cwd: dir });
  return readFileSync(join(dir, config.output));
}

/** Strips the copy before the blob goes in (stripping after injecting breaks it); false if no strip for that arch. */
async function strip(binary, arch) {
  const tools = arch === hostArch() ? ['strip', STRIP[arch]] : [STRIP[arch]];
  for (const tool of tools) {
    try {
      await run(tool, [binary]);
      return true;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  return false;
}

/**
 * postject carries LIEF (compiled to WebAssembly), which warns once per ELF note section whose name
 * it cannot resolve ("Can't find string offset for section name '.note.100'"): about ten lines per
 * binary, for every Node binary, stripped or not. They are harmless (postject adds its own section;
 * the tests run what comes out), so exactly that line is dropped; any other warning still shows.
 */
async function withoutLiefNoteWarnings(inject) {
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/^warning: Can't find string offset for section name '\.note[^']*'$/.test(String(args[0]))) warn(...args);
  };
  try {
    return await inject();
  } finally {
    console.warn = warn;
  }
}

/** Builds `out` for `arch` from the bundle `main`; resolves to what went into it. */
export async function buildExecutable({ arch, main, out, codeCache, cacheDir }) {
  const blob = await makeBlob({ main, codeCache, cacheDir });
  const staging = `${out}.tmp-${process.pid}`;
  try {
    copyFileSync(await pinnedNode(arch, cacheDir), staging);
    chmodSync(staging, 0o755);
    const stripped = await strip(staging, arch);
    await withoutLiefNoteWarnings(() => postject.inject(staging, 'NODE_SEA_BLOB', blob, { sentinelFuse: SEA_FUSE }));
    renameSync(staging, out);
    return { arch, out, codeCache, stripped };
  } finally {
    rmSync(staging, { force: true });
  }
}
