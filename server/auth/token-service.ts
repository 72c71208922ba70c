import { errors, jwtVerify, SignJWT } from "jose";

const ISSUER = "core4ts";
const ALGORITHM = "HS256";

/** Claims core4ts reads from a token. */
export interface TokenClaims {
  /** Role name. */
  readonly name: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** The role's token version when the token was issued. */
  readonly ver: number;
}

/** Signs and verifies login tokens: HS256 JWTs (jose) with the role name as subject and an expiry. */
export class TokenService {
  private readonly key: Uint8Array;

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

  /** Verifies signature, algorithm, issuer and expiry; undefined for any invalid or expired token. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER });
      if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return undefined;
      const ver = payload.ver ?? 0;
      if (typeof ver !== "number") return undefined;
      return { name: payload.sub, exp: payload.exp, ver };
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }
}
