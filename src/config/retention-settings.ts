import { ConfigError } from './config-error.js';
import type { Settings } from './settings.js';

/** RETENTION_DAYS_DEFAULT must itself be allowed by RETENTION_DAYS_MAX. */
export function checkRetentionSettings(settings: Settings): void {
  const { retentionDaysMax: max, retentionDaysDefault: fallback } = settings;
  if (max > 0 && (fallback === 0 || fallback > max)) {
    throw new ConfigError(`RETENTION_DAYS_DEFAULT (${fallback}) must be from 1 to RETENTION_DAYS_MAX (${max}) when RETENTION_DAYS_MAX is set: uploads without expires_in get it`);
  }
}
