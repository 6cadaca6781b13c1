import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Bdfu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(HOOK_SECRET, t + "." + body)>`.
 * The timestamp lets a receiver refuse replays (say, older than five minutes).
 */
export function signatureHeader(secret: string, body: string, seconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex');
  return `t=${seconds},v1=${mac}`;
}

/** Checks a signature header as a receiver would: the right MAC over this body, made within `toleranceSeconds`. */
export function verifySignature(secret: string, header: string, body: string, toleranceSeconds = 300, now = Math.floor(Date.now() / 1000)): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const seconds = Number(match[1]);
  if (Math.abs(now - seconds) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, body, seconds).slice(`t=${seconds},v1=`.length), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
