import type { Settings } from '../config/settings.js';
import { anonymizeOlderThan } from './anonymize.js';

const DAY_SECONDS = 86_400;

/** ANONYMIZE_AFTER_DAYS at work: does nothing when it is 0. */
export async function autoAnonymize(settings: Settings, log: (e: unknown) => void): Promise<void> {
  if (settings.anonymizeAfterDays <= 0) return;
  try {
    await anonymizeOlderThan(settings.storageDir, settings.anonymizeAfterDays * DAY_SECONDS);
  } catch (error) {
    log(new Error(`anonymizing the audit trail failed: ${(error as Error).message}`));
  }
}

/** `bdfu serve`: at start, then daily. */
export function scheduleAnonymize(settings: Settings, log: (e: unknown) => void): () => void {
  if (settings.anonymizeAfterDays <= 0) return () => undefined;
  void autoAnonymize(settings, log);
  const timer = setInterval(() => void autoAnonymize(settings, log), DAY_SECONDS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
