import { ConfigError } from './config-error.js';

/** PUBLIC_URL as every link is built on it: absolute http(s), no query, fragment or credentials, ending in `/`. */
export function normalisePublicUrl(raw: string): string {
  if (raw === '') return '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL must be an absolute URL such as https://files.example.org/bdfu/');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_URL must start with https:// or http://');
  if (url.username || url.password) throw new ConfigError('PUBLIC_URL must not carry a user name or password');
  if (url.search || url.hash || raw.includes('?') || raw.includes('#')) throw new ConfigError('PUBLIC_URL must not have a query (?) or a fragment (#)');
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
