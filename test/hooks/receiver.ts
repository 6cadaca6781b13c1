import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

/** The README's receiver check, as a receiver in any language would write it. */
export function verify(secret: string, header: string | undefined, body: string): boolean {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '') ?? [];
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return v1 !== undefined && Math.abs(Date.now() / 1000 - Number(t)) < 300 && timingSafeEqual(Buffer.from(mac), Buffer.from(v1));
}

export interface Delivery {
  event: any;
  signed: boolean;
}
type Answer = { status: number; body?: string } | 'hang';

/** A webhook receiver on loopback: checks every signature, keeps every delivery, answers as told. */
export async function receiver(t: Test, secret: string, answer: (event: any, seen: Delivery[]) => Answer = () => ({ status: 204 })) {
  const seen: Delivery[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body);
      seen.push({ event, signed: verify(secret, req.headers['x-bdfu-signature'] as string | undefined, body) && req.headers['x-bdfu-event'] === event.event });
      const reply = answer(event, seen);
      if (reply === 'hang') hanging.push(res);
      else res.writeHead(reply.status).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, hanging };
}

/** Each event once: one line per delivery id, in the order first seen. */
export const distinct = (seen: Delivery[]) => [...new Map(seen.map((d) => [d.event.delivery, d.event])).values()];
export const label = (event: any) => (event.event === 'authorize' ? `authorize:${event.action}` : event.event);
