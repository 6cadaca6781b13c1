import { Agent } from 'node:http';
import { send, type Answer } from './http.js';

const WARM_UP_MS = 1000;

/** One kind of request: the URL of the next one, and what every one sends. */
export interface Shot {
  url: () => string;
  method: string;
  headers: Record<string, string | number>;
  body: Buffer;
  /** Whether an answer counts as an upload done; by default, a 201. */
  done?: (answer: Answer) => boolean;
}

/** Requests/s that `clients` keep-alive clients get done in `seconds`, after a warm-up; any other answer throws. */
export async function rate(shot: Shot, clients: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const from = Date.now() + WARM_UP_MS;
  const until = from + seconds * 1000;
  const done = shot.done ?? ((answer: Answer) => answer.status === 201);
  let counted = 0;
  const client = async () => {
    while (Date.now() < until) {
      const url = shot.url();
      const answer = await send(url, { method: shot.method, headers: shot.headers, body: [shot.body], agent });
      if (!done(answer)) throw new Error(`${shot.method} ${url} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
      const now = Date.now();
      if (now >= from && now <= until) counted++;
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, client));
  } finally {
    agent.destroy();
  }
  return counted / seconds;
}
