import { HttpError } from '../core/http-error.js';
import type { AuditEntry } from '../audit/entry.js';
import type { HookAnswer, HookSource } from './source.js';
import type { AfterEvent, AfterEventName, AfterShareEvent, AuthorizeEvent, BeforeCommitEvent, HookCaller, HookEventName, HookRunner } from './types.js';
import { wireEvent } from './wire.js';

export interface RunnerOptions {
  /** Writes one audit line; never throws. */
  audit(entry: AuditEntry): Promise<void>;
  log(error: unknown): void;
  /** Waits between after-event deliveries that failed, for sources that retry. */
  retryDelaysMs: readonly number[];
  /** When set (CGI), all deliveries of one after-event, retries included, end within this long. */
  afterBudgetMs?: number;
}

const hookFailed = () => new HttpError(500, 'hook_failed', 'a hook failed to decide; nothing was done (the server log says why)');

function denied(answer: Extract<HookAnswer, { ok: false }>): HttpError {
  const status = answer.status !== undefined && Number.isInteger(answer.status) && answer.status >= 400 && answer.status < 500 ? answer.status : 403;
  return new HttpError(status, 'denied_by_hook', answer.reason);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs every configured source for each event, in order: the library's hooks, the command, the webhook. */
export function createHookRunner(sources: readonly HookSource[], options: RunnerOptions): HookRunner {
  const inFlight = new Set<Promise<void>>();

  const line = (caller: HookCaller, source: HookSource, hook: string, outcome: AuditEntry['outcome'], more: Partial<AuditEntry> = {}): AuditEntry => ({
    time: new Date().toISOString(),
    user: caller.audit?.user ?? null,
    address: caller.remoteAddress || null,
    action: 'hook',
    outcome,
    hook,
    via: source.via,
    ...more,
  });

  /** Asks each source in turn; the first refusal wins. */
  async function decide(name: HookEventName, hook: string, event: AuthorizeEvent | BeforeCommitEvent, caller: HookCaller, refusal: (a: Extract<HookAnswer, { ok: false }>) => HttpError, facts: Partial<AuditEntry>): Promise<void> {
    const wire = wireEvent(name, event);
    for (const source of sources) {
      if (!source.handles(name)) continue;
      let answer: HookAnswer;
      try {
        answer = await source.call(name, event, wire);
      } catch (error) {
        options.log(error);
        await options.audit(line(caller, source, hook, 'failed', { ...facts, code: 'hook_failed', reason: (error as Error).message }));
        throw hookFailed();
      }
      if (!answer.ok) {
        const error = refusal(answer);
        await options.audit(line(caller, source, hook, 'refused', { ...facts, code: error.code, reason: answer.reason }));
        throw error;
      }
      await options.audit(line(caller, source, hook, 'ok', facts));
    }
  }

  async function deliver(source: HookSource, name: AfterEventName, event: AfterEvent, wire: Record<string, unknown>, caller: HookCaller, facts: Partial<AuditEntry>): Promise<void> {
    const started = Date.now();
    const delays = source.retries ? options.retryDelaysMs : [];
    let problem = '';
    let attempts = 0;
    for (;;) {
      attempts++;
      const left = options.afterBudgetMs === undefined ? undefined : Math.max(1, options.afterBudgetMs - (Date.now() - started));
      try {
        const answer = await source.call(name, event, wire, left);
        if (answer.ok) {
          await options.audit(line(caller, source, name, 'ok', { ...facts, attempts }));
          return;
        }
        problem = `refused: ${answer.reason}`;
      } catch (error) {
        problem = (error as Error).message;
      }
      const delay = delays[attempts - 1];
      const outOfTime = options.afterBudgetMs !== undefined && Date.now() - started + (delay ?? 0) >= options.afterBudgetMs;
      if (delay === undefined || outOfTime) break;
      await sleep(delay);
    }
    options.log(new Error(`the ${name} hook (${source.via}) failed after ${attempts} attempt(s): ${problem}`));
    await options.audit(line(caller, source, name, 'failed', { ...facts, code: 'hook_failed', reason: problem, attempts }));
  }

  return {
    authorize(event) {
      const { resource, action } = event;
      const facts: Partial<AuditEntry> = {};
      if (resource.owner !== undefined && resource.owner !== event.principal?.user) facts.owner = resource.owner;
      if (resource.id !== undefined) facts.id = resource.id;
      const caller: HookCaller = { remoteAddress: event.request.remoteAddress, audit: event.principal ? { user: event.principal.user } : {} };
      return decide('authorize', `authorize:${action}`, event, caller, denied, facts);
    },
    beforeCommit(event, caller) {
      const rejected = (answer: Extract<HookAnswer, { ok: false }>) =>
        new HttpError(422, 'rejected_by_hook', `the upload was rejected: ${answer.reason}`, { details: { reason: answer.reason } });
      return decide('beforeCommit', 'beforeCommit', event, caller, rejected, { name: event.name, bytes: event.size });
    },
    after(name: AfterEventName, event: AfterEvent | AfterShareEvent, caller: HookCaller) {
      const { record } = event;
      const facts: Partial<AuditEntry> = { id: record.id, name: record.name };
      if (record.user !== (caller.audit?.user ?? null)) facts.owner = record.user;
      const wire = wireEvent(name, event);
      for (const source of sources) {
        if (!source.handles(name)) continue;
        const delivery = deliver(source, name, event, wire, caller, facts).catch(options.log);
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      }
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
