/**
 * Tokens a Cognito pool or OIDC provider has verified, so the same token string is not verified
 * again (RS256 signature check: tens of µs of CPU) on every request it comes with
 * (Gateway choice, docs/auth.md#verified-tokens-are-kept).
 *
 * Each provider keeps its own (one per configured pool / issuer and its settings), so a token
 * verified for one is never taken for another. Only successes are kept: a refused token is checked
 * again each time, and an unknown `kid` still makes the verifier refetch the JWKS. The time claims
 * are checked again at every use, against the clock, with the verification's leeway (none);
 * the provider's own checks (`token_use`, client id, `iatTTL` / `authTTL`) run at every use too.
 */

/** Most verified tokens a provider keeps at once (as many as the Lambda authorizer's decisions). */
export const MAX_VERIFIED_TOKENS = 10_000;

/**
 * How long a verification is trusted, whatever the token's `exp`: a token signed by a key the
 * issuer has since removed is refused at most this long after the gateway's copy of the JWKS
 * drops the key (that copy itself lives up to 10 minutes, jwt.ts).
 */
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;

interface Entry {
  claims: Record<string, unknown>;
  /** Epoch ms after which the entry is not used: the verification's age limit or `exp`, whichever is first. */
  until: number;
}

/** Verified claims by token string, bounded; see the module comment. */
export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(max = MAX_VERIFIED_TOKENS) {
    this.#max = max;
  }

  /** Tokens kept now (expired ones included until they are dropped). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The claims `token` was verified with, when it was verified less than
   * VERIFIED_TOKEN_MAX_AGE_MS ago and its `exp` / `nbf` still hold at `now`; else undefined, and
   * the caller verifies it in full (which gives the refusal its exact message).
   */
  get(token: string, now: number): Record<string, unknown> | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.until || !timeClaimsHold(entry.claims, now)) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  /**
   * Keeps the claims of a token just verified at `now`. Frozen (deeply), since every request with
   * this token reads the same object: one cannot change what the next one sees.
   */
  remember(token: string, claims: Record<string, unknown>, now: number): void {
    const exp = claims.exp;
    const until = Math.min(now + VERIFIED_TOKEN_MAX_AGE_MS, typeof exp === 'number' ? exp * 1000 : Infinity);
    if (until <= now) return;
    // Gateway choice, as the Lambda authorizer's cache: expired entries go first, then the oldest.
    // Down to nine tenths of the bound, not one below it: a stream of new tokens at the bound (many
    // users at once) would otherwise sweep the whole map on every verification, which costs more than
    // the signature check it saves; this way one sweep makes room for the next tenth.
    if (this.#entries.size >= this.#max && !this.#entries.has(token)) {
      for (const [key, entry] of this.#entries) if (entry.until <= now) this.#entries.delete(key);
      const room = this.#max - Math.ceil(this.#max / 10);
      while (this.#entries.size > room) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(token, { claims: deepFreeze(claims), until });
  }
}

/**
 * jose's time rules with no clock tolerance (verifyJwt's `clockTolerance: 0`), in whole seconds as
 * jose counts them: `exp` must be after now, `nbf` not after now. `iat` has no time rule there
 * (no `maxTokenAge`); OIDC's `iatTTL` is checked by the provider at every use.
 */
function timeClaimsHold(claims: Record<string, unknown>, now: number): boolean {
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp === 'number' && claims.exp <= seconds) return false;
  if (typeof claims.nbf === 'number' && claims.nbf > seconds) return false;
  return true;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
