import type { Settings } from '../config/settings.js';
import type { AuditSink } from './sink.js';

const DAY_SECONDS = 86_400;

/** ANONYMIZE_AFTER_DAYS at work: does nothing when it is 0. */
export async function autoAnonymize(settings: Settings, sink: AuditSink, log: (e: unknown) => void): Promise<void> {
  if (settings.anonymizeAfterDays <= 0) return;
  try {
    await sink.anonymize(settings.anonymizeAfterDays * DAY_SECONDS);
  } catch (error) {
    log(new Error(`anonymizing the audit trail failed: ${(error as Error).message}`));
  }
}

/** `bdfu serve`: at start, then daily. */
export function scheduleAnonymize(settings: Settings, sink: AuditSink, log: (e: unknown) => void): () => void {
  if (settings.anonymizeAfterDays <= 0) return () => undefined;
  void autoAnonymize(settings, sink, log);
  const timer = setInterval(() => void autoAnonymize(settings, sink, log), DAY_SECONDS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
