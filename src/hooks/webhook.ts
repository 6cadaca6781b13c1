import { VERSION } from '../version.js';
import { signatureHeader } from './signature.js';
import { firstLine, type HookAnswer, type HookSource } from './source.js';

/** HOOK_URL: the event's JSON POSTed and signed; a 2xx accepts, any other answer rejects with its first line. */
export function webhookSource(url: string, secret: string, events: ReadonlySet<string>, timeoutMs: number): HookSource {
  return {
    via: 'url',
    retries: true,
    handles: (name) => events.has(name),
    async call(name, _event, wire, atMostMs = timeoutMs): Promise<HookAnswer> {
      const limitMs = Math.min(timeoutMs, atMostMs);
      const body = JSON.stringify(wire);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': `bdfu/${VERSION}`,
            'x-bdfu-event': name,
            'x-bdfu-signature': signatureHeader(secret, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(limitMs),
        });
        text = await response.text();
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = (error as Error).name === 'TimeoutError' ? `no answer within ${limitMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new Error(`HOOK_URL ${url} (${name}): ${why}`);
      }
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, reason: firstLine(text) || `the webhook answered ${response.status}` };
    },
  };
}
