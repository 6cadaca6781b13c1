const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * `expires_in` as people write it: seconds (`3600`) or a number with a unit (`90m`, `12h`, `7d`,
 * `2w`); `never` is Infinity. Undefined when it is none of these.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'never') return Infinity;
  const match = /^(\d{1,9})([smhdw]?)$/.exec(trimmed);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
  return seconds > 0 ? seconds : undefined;
}
