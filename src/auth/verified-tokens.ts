import type { JWTPayload, ProtectedHeaderParameters } from 'jose';

export interface CheckedToken {
  payload: JWTPayload;
  protectedHeader: ProtectedHeaderParameters;
}

/**
 * Tokens whose signature this process has checked, by their exact text: a client that sends the
 * same token with every request costs one signature check (under `bdfu serve`, WebCrypto's HMAC
 * job was ~6 % of the main thread for 1 KiB uploads). A token that differs in one character is
 * not in here and is checked in full. The time claims are checked again at every use, as jose
 * checks them (`exp` ≤ now − skew, `nbf` > now + skew), and a token past them is dropped, so the
 * full check refuses it with its usual error; everything else about the token (its lifetime,
 * scopes, an app's approval) is decided afresh by the caller on every request.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, CheckedToken>();

  constructor(private readonly capacity = 1024) {}

  get(token: string, nowSeconds: number, skewSeconds: number): CheckedToken | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    const now = Math.floor(nowSeconds);
    const { exp, nbf } = hit.payload;
    if ((typeof exp === 'number' && exp <= now - skewSeconds) || (typeof nbf === 'number' && nbf > now + skewSeconds)) {
      this.entries.delete(token);
      return undefined;
    }
    return hit;
  }

  add(token: string, checked: CheckedToken): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { payload: checked.payload, protectedHeader: checked.protectedHeader });
  }

  get size(): number {
    return this.entries.size;
  }
}
