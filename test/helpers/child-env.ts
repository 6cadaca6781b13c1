import { dirname } from 'node:path';

/**
 * PATH for the programs tests start: this Node first, then the system's directories. Nothing of
 * the user's own PATH (an `npm link`ed bdfu, another Node) reaches a test.
 */
export const CHILD_PATH = [dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');

/** This process's environment without the user's bdfu settings (BDFU_*), with CHILD_PATH. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BDFU_')));
  return { ...env, PATH: CHILD_PATH, ...extra };
}
