import { ConfigError } from './config-error.js';
import type { Settings } from './settings.js';

const REQUIRED = [
  ['S3_ENDPOINT', 's3Endpoint'], ['S3_BUCKET', 's3Bucket'], ['S3_ACCESS_KEY_ID', 's3AccessKeyId'],
  ['S3_SECRET_ACCESS_KEY', 's3SecretAccessKey'], ['DATABASE_URL', 'databaseUrl'],
] as const;

/** Bytes in S3 and records in PostgreSQL (several instances) rather than STORAGE_DIR. */
export function s3PostgresEnabled(settings: Settings): boolean {
  return settings.s3Endpoint !== '' && settings.databaseUrl !== '';
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * S3 + PostgreSQL is all of its settings or none, each well-formed; secrets are never echoed.
 * Returns warnings (plain http to a host that is not loopback).
 */
export function checkS3PostgresSettings(settings: Settings): string[] {
  const set = REQUIRED.filter(([, prop]) => settings[prop] !== '');
  if (set.length === 0) return [];
  if (set.length !== REQUIRED.length) {
    const missing = REQUIRED.filter(([, prop]) => settings[prop] === '').map(([key]) => key);
    throw new ConfigError(`S3 + PostgreSQL needs ${REQUIRED.map(([key]) => key).join(', ')} together; missing: ${missing.join(', ')}`);
  }
  const warnings: string[] = [];
  let endpoint: URL;
  try {
    endpoint = new URL(settings.s3Endpoint);
  } catch {
    throw new ConfigError(`S3_ENDPOINT must be an http(s) URL such as https://s3.eu-west-1.amazonaws.com, got ${JSON.stringify(settings.s3Endpoint)}`);
  }
  if (!/^https?:$/.test(endpoint.protocol) || endpoint.username !== '' || endpoint.password !== '' || endpoint.search !== '' || endpoint.hash !== '') {
    throw new ConfigError('S3_ENDPOINT must be a plain http(s) URL (no credentials, query or fragment), such as https://s3.eu-west-1.amazonaws.com');
  }
  if (endpoint.protocol === 'http:' && !LOOPBACK.test(endpoint.hostname)) {
    warnings.push(`S3_ENDPOINT ${endpoint.origin} is plain http: file bytes cross the network unencrypted; use https`);
  }
  settings.s3Endpoint = endpoint.href.replace(/\/$/, '');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(settings.s3Bucket)) {
    throw new ConfigError(`S3_BUCKET must be a bucket name (3–63 lower-case letters, digits, dots, hyphens), got ${JSON.stringify(settings.s3Bucket)}`);
  }
  if (!/^[a-z0-9-]+$/.test(settings.s3Region)) {
    throw new ConfigError(`S3_REGION must be a region name such as us-east-1, got ${JSON.stringify(settings.s3Region)}`);
  }
  if (!/^postgres(ql)?:\/\//.test(settings.databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// (or postgresql://) URL, such as postgres://bdfu:PASSWORD@db.example:5432/bdfu');
  }
  return warnings;
}
