import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseCfg, CfgSyntaxError, type CfgValue } from './cfg-parser.js';
import { checkCdnSettings } from './cdn-settings.js';
import { checkHookSettings } from './hook-settings.js';
import { checkRetentionSettings } from './retention-settings.js';
import { ConfigError } from './config-error.js';
import { closestName, didYouMean } from './did-you-mean.js';
import { checkS3PostgresSettings } from './s3-postgres-settings.js';
import { ENV_PREFIX, SETTINGS, type SettingSpec, type Settings } from './settings.js';
import { jsonErrorPlace } from './json-error-place.js';
import { checkSecuritySettings } from './security-settings.js';
import { parseCorsOrigins } from './cors-origins.js';
import { parseTrustedProxies } from './trusted-proxies.js';

export interface LoadOptions {
  /** Configuration file; `BDFU_SETTINGS` names it when this is absent. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (command-line flags). */
  overrides?: Partial<Settings>;
  /** Values used where nothing else sets a key (the embedded default). */
  fallbacks?: Partial<Settings>;
}

export interface LoadedConfig {
  settings: Settings;
  file: string | undefined;
  warnings: string[];
}

function readFileValues(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (extname(file).toLowerCase() === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ConfigError(`${file}: ${jsonErrorPlace(text)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`${file}: expected a JSON object of settings`);
    }
    return value as Record<string, unknown>;
  }
  try {
    return parseCfg(text, file) as Record<string, CfgValue>;
  } catch (error) {
    if (error instanceof CfgSyntaxError) throw new ConfigError(error.message);
    throw error;
  }
}

type Value = string | number | boolean | string[];

/** A list from a file is a list; from the environment, a JSON array or comma-separated words. */
function coerceList(spec: SettingSpec, raw: unknown, source: string): string[] {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim().startsWith('[')) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ConfigError(`${spec.key} (${source}) is not a valid JSON array`);
      }
    } else value = raw.split(/[\s,]+/).filter((item) => item !== '');
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new ConfigError(`${spec.key} (${source}) must be a list of strings, none of them empty, e.g. ['${spec.secret ? 'a-long-random-secret' : '127.0.0.1'}']`);
  }
  return value as string[];
}

const YES = /^(1|true|yes|on)$/i;
const NO = /^(0|false|no|off)$/i;

function coerce(spec: SettingSpec, raw: unknown, source: string): Value {
  if (spec.kind === 'list') return coerceList(spec, raw, source);
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string' && (YES.test(raw.trim()) || NO.test(raw.trim()))) return YES.test(raw.trim());
    throw new ConfigError(`${spec.key} (${source}) must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (spec.kind === 'string') {
    if (typeof raw !== 'string') throw new ConfigError(`${spec.key} (${source}) must be a string`);
    return raw;
  }
  const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(`${spec.key} (${source}) must be a whole number, got ${JSON.stringify(raw)}`);
  }
  if (!Number.isSafeInteger(value) || (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw new ConfigError(`${spec.key} (${source}) must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}, got ${value}`);
  }
  return value;
}

function relativeTo(file: string, value: Value): Value {
  const base = dirname(resolve(file));
  if (Array.isArray(value)) return value.map((item) => resolve(base, item));
  return value === '' ? value : resolve(base, value as string);
}

function normaliseBasePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** Defaults < fallbacks < file < environment < overrides; then every value is validated. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? (env[`${ENV_PREFIX}SETTINGS`] || undefined);
  const warnings: string[] = [];
  const fileValues = file ? readFileValues(file) : {};
  const known = new Set(SETTINGS.map((s) => s.key));
  const unknown: string[] = [];
  for (const key of Object.keys(fileValues)) {
    if (!known.has(key)) unknown.push(`${file}: unknown setting ${key} is ignored${didYouMean(key, [...known])}`);
  }
  // Other programs may use BDFU_ names too: only a near miss of a setting is worth a word.
  for (const name of Object.keys(env)) {
    const key = name.slice(ENV_PREFIX.length);
    const guess = name.startsWith(ENV_PREFIX) && !known.has(key) && key !== 'SETTINGS' ? closestName(key, [...known]) : undefined;
    if (guess) unknown.push(`environment ${name}: unknown setting is ignored (did you mean ${ENV_PREFIX}${guess}?)`);
  }
  warnings.push(...unknown);
  /** A missing required setting is often a misspelled one: say so in the same line. */
  const missing = (message: string) => new ConfigError([message, ...unknown].join('; '));

  const settings: Record<string, Value | undefined> = {};
  for (const spec of SETTINGS) {
    let value: Value | undefined = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    const fallback = options.fallbacks?.[spec.prop];
    if (fallback !== undefined) value = fallback;
    if (fileValues[spec.key] !== undefined && fileValues[spec.key] !== null) {
      value = coerce(spec, fileValues[spec.key], file!);
      if (spec.path) value = relativeTo(file!, value);
    }
    const fromEnv = env[ENV_PREFIX + spec.key];
    if (fromEnv !== undefined && fromEnv !== '') value = coerce(spec, fromEnv, `environment ${ENV_PREFIX}${spec.key}`);
    const override = options.overrides?.[spec.prop];
    if (override !== undefined) value = override;
    settings[spec.prop] = value;
  }

  const publicKeys = (settings.jwtPublicKeys as string[]).length > 0 || settings.jwtJwksFile !== '';
  if (typeof settings.jwtSecretKey !== 'string' || (settings.jwtSecretKey === '' && !publicKeys)) {
    throw missing(
      'JWT_SECRET_KEY is not set or empty: refusing to start a server that would accept any token (set it in the ' +
        `configuration file or ${ENV_PREFIX}JWT_SECRET_KEY, or give public keys with JWT_PUBLIC_KEYS or JWT_JWKS_FILE)`,
    );
  }
  if (typeof settings.storageDir !== 'string' || settings.storageDir === '') {
    throw missing(`STORAGE_DIR is not set (set it in the configuration file or ${ENV_PREFIX}STORAGE_DIR)`);
  }
  if (settings.jwtSecretKey !== '' && settings.jwtSecretKey.length < 16) {
    warnings.push('JWT_SECRET_KEY is shorter than 16 characters: anyone who guesses it can make tokens; use a long random secret');
  }
  if ((settings.jwtPreviousSecrets as string[]).some((secret) => secret.length < 16)) {
    warnings.push('a JWT_PREVIOUS_SECRETS entry is shorter than 16 characters: remove it once its tokens have expired');
  }
  settings.storageDir = resolve(settings.storageDir);
  settings.jwtPublicKeys = (settings.jwtPublicKeys as string[]).map((path) => resolve(path));
  if (settings.jwtJwksFile !== '') settings.jwtJwksFile = resolve(settings.jwtJwksFile as string);
  checkCdnSettings(settings as unknown as Settings);
  checkSecuritySettings(settings as unknown as Settings);
  checkHookSettings(settings as unknown as Settings);
  warnings.push(...checkS3PostgresSettings(settings as unknown as Settings));
  checkRetentionSettings(settings as unknown as Settings);
  settings.basePath = normaliseBasePath(String(settings.basePath));
  try {
    const proxies = settings.trustedProxies;
    if (!Array.isArray(proxies)) throw new Error('must be a list of addresses, e.g. [\'127.0.0.1\']');
    parseTrustedProxies(proxies);
  } catch (error) {
    throw new ConfigError(`TRUSTED_PROXIES: ${(error as Error).message}`);
  }
  try {
    parseCorsOrigins(settings.corsOrigins as string[]);
  } catch (error) {
    throw new ConfigError(`CORS_ORIGINS: ${(error as Error).message}`);
  }
  return { settings: settings as unknown as Settings, file, warnings };
}
