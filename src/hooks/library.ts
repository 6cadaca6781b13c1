import { withTimeout, type HookAnswer, type HookSource } from './source.js';
import type { AuthorizeVerdict, BeforeCommitVerdict, HookEventName, Hooks } from './types.js';

function authorizeAnswer(verdict: AuthorizeVerdict | undefined): HookAnswer {
  if (verdict?.allow === true) return { ok: true };
  if (verdict?.allow === false) {
    return { ok: false, reason: verdict.message ?? 'refused by an authorize hook', ...(verdict.status !== undefined ? { status: verdict.status } : {}) };
  }
  throw new Error('the authorize hook returned neither { allow: true } nor { allow: false }');
}

function beforeCommitAnswer(verdict: BeforeCommitVerdict | undefined): HookAnswer {
  if (verdict?.accept === true) return { ok: true };
  if (verdict?.accept === false) return { ok: false, reason: String(verdict.reason ?? 'rejected by a beforeCommit hook') };
  throw new Error('the beforeCommit hook returned neither { accept: true } nor { accept: false, reason }');
}

/** The library user's own async functions, each bounded by the hook timeout. */
export function librarySource(hooks: Hooks, timeoutMs: number): HookSource {
  return {
    via: 'library',
    retries: false,
    handles: (name) => typeof hooks[name] === 'function',
    async call(name: HookEventName, event: unknown, _wire, atMostMs = timeoutMs): Promise<HookAnswer> {
      const hook = hooks[name] as (event: unknown) => unknown;
      const result = await withTimeout(Promise.resolve().then(() => hook.call(hooks, event)), Math.min(timeoutMs, atMostMs), `the ${name} hook`);
      if (name === 'authorize') return authorizeAnswer(result as AuthorizeVerdict | undefined);
      if (name === 'beforeCommit') return beforeCommitAnswer(result as BeforeCommitVerdict | undefined);
      return { ok: true };
    },
  };
}
