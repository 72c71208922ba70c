import { errors, jwtVerify, SignJWT } from "jose";
import { LRUCache } from "lru-cache";

const ISSUER = "core4ts";
const ALGORITHM = "HS256";
/** Verified tokens kept (each a few hundred bytes): enough for every session of a busy server. */
const VERIFIED_MAX = 10_000;

/** Claims core4ts reads from a token. */
export interface TokenClaims {
  /** Role name. */
  readonly name: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** The role's token version when the token was issued. */
  readonly ver: number;
}

/**
 * Signs and verifies login tokens: HS256 JWTs (jose) with the role name as subject and an expiry.
 *
 * A token that verified once is remembered (keyed by its full text, at most 10,000, least recently used
 * dropped): checking its signature again would give the same answer, so a repeated token costs a map
 * lookup instead of an HMAC. Its expiry is checked on every use, so a remembered token is refused from the
 * second its `exp` passes. Revocation is not decided here: the caller compares the token version with the
 * role's on every request (see Authenticator).
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly verified = new LRUCache<string, TokenClaims>({ max: VERIFIED_MAX });

  /**
   * @param secret Signing secret (config `server.secret` or the generated one).
   * @param ttlSeconds Lifetime of issued tokens (config `server.tokenTtl`).
   */
  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Issues a token for a role at its current token version. */
  sign(name: string, version = 0): Promise<string> {
    return new SignJWT({ ver: version })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(name)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /**
   * Verifies signature, algorithm, issuer and expiry; undefined for any invalid or expired token.
   *
   * @param now The current time in ms (tests pass their own clock).
   */
  async verify(token: string, now: number = Date.now()): Promise<TokenClaims | undefined> {
    const known = this.verified.get(token);
    if (known !== undefined) {
      if (notExpired(known, now)) return known;
      this.verified.delete(token);
      return undefined;
    }
    const checked = await this.check(token, now);
    if (checked?.remember) this.verified.set(token, checked.claims);
    return checked?.claims;
  }

  private async check(
    token: string,
    now: number,
  ): Promise<{ claims: TokenClaims; remember: boolean } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return undefined;
      const ver = payload.ver ?? 0;
      if (typeof ver !== "number") return undefined;
      // Only expiry is re-checked on a remembered token: one with a not-before time is checked every time.
      return { claims: { name: payload.sub, exp: payload.exp, ver }, remember: payload.nbf === undefined };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}

/** jose accepts a token until `exp` (in seconds) has passed; so does the remembered one. */
function notExpired(claims: TokenClaims, now: number): boolean {
  return now < claims.exp * 1000;
}
