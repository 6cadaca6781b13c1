import { spawn } from 'node:child_process';

const APPENDER = new URL('./audit-appender.mjs', import.meta.url).pathname;

/** Runs test/helpers/audit-appender.mjs; resolves to how many entries it appended. */
export function runAppender(storageDir: string, tag: string, count: number | string, stopFile?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, storageDir, tag, String(count), ...(stopFile ? [stopFile] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`appender ${tag} exited ${code}`))));
  });
}

