import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The dialog's form carries what the app asked for, signed: the POST cannot be pointed at
 * another app, redirect_uri or scope than the page showed, and an old form expires. Together with
 * the password it asks for and the Origin check, this is what keeps the form safe from CSRF.
 */
export const FORM_SECONDS = 30 * 60;

const keyFor = (secret: string) => createHmac('sha256', secret).update('bdfu oauth dialog form').digest();
const mac = (secret: string, body: string) => createHmac('sha256', keyFor(secret)).update(body).digest('base64url');

export function signForm<T extends object>(secret: string, value: T, nowMs: number): string {
  const body = Buffer.from(JSON.stringify({ ...value, until: nowMs + FORM_SECONDS * 1000 })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The signed value; undefined when the signature is wrong or the form is too old. */
export function openForm<T extends object>(secret: string, token: string | null, nowMs: number): T | undefined {
  const [body, signature, extra] = (token ?? '').split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { until: number };
  return value.until > nowMs ? value : undefined;
}
