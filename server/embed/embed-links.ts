import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** Query arguments a signed link carries besides the route's own. */
export const EXPIRES_PARAM = "expires";
export const SIGNATURE_PARAM = "signature";

const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

/** Why a signed request was refused; `message` is one line for the client and leaks nothing else. */
export interface LinkRefusal {
  readonly ok: false;
  readonly message: string;
}

/** A signed request that holds: the link's expiry, seconds since the epoch. */
export interface LinkGrant {
  readonly ok: true;
  readonly expires: number;
}

/** The canonical form of a link's arguments: every (name, value) pair, sorted, URI-encoded. */
function canonicalArgs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join("&");
}

/**
 * Signs and checks signed links (docs/contracts.md "HTTP", Signed links): an HMAC-SHA256 over the path,
 * the sorted arguments and the expiry, with a key derived (HKDF) from the server secret, so rotating
 * `CORE4_SECRET` revokes every link. Signatures are compared in constant time.
 */
export class EmbedLinks {
  private readonly key: Buffer;

  /**
   * @param secret The server secret (config `server.secret`, CORE4_SECRET, or the generated one).
   * @param maxDays Longest lifetime a new link may have, in days.
   */
  constructor(
    secret: string,
    readonly maxDays = 365,
  ) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "core4ts", "core4ts signed links v1", 32));
  }

  /** The signature of `path` with these arguments until `expires` (unix seconds), base64url. */
  sign(path: string, args: ReadonlyArray<readonly [string, string]>, expires: number): string {
    return createHmac("sha256", this.key)
      .update(`v1\n${path}\n${canonicalArgs(args)}\n${expires}`)
      .digest("base64url");
  }

  /** The link: `<origin><path>?<args>&expires=<unix s>&signature=<hmac>`. */
  url(origin: string, path: string, args: Readonly<Record<string, string>>, expires: number): string {
    const pairs = Object.entries(args);
    const query = new URLSearchParams(pairs);
    query.set(EXPIRES_PARAM, String(expires));
    query.set(SIGNATURE_PARAM, this.sign(path, pairs, expires));
    return `${origin.replace(/\/+$/, "")}${path}?${query.toString()}`;
  }

  /**
   * Checks a request's path and query string (as sent) against its signature: exactly that path and those
   * arguments, before the expiry.
   */
  verify(path: string, querystring: string, now: Date = new Date()): LinkGrant | LinkRefusal {
    const params = new URLSearchParams(querystring);
    const signatures = params.getAll(SIGNATURE_PARAM);
    const expiries = params.getAll(EXPIRES_PARAM);
    if (signatures.length !== 1 || !SIGNATURE_PATTERN.test(signatures[0] as string)) {
      return { ok: false, message: "signed link: malformed signature (expected one base64url HMAC)" };
    }
    if (expiries.length !== 1 || !UNIX_SECONDS.test(expiries[0] as string)) {
      return { ok: false, message: "signed link: malformed expires (expected one unix time in seconds)" };
    }
    const expires = Number(expiries[0]);
    const pairs = [...params].filter(([k]) => k !== SIGNATURE_PARAM && k !== EXPIRES_PARAM);
    // The text is compared, not the decoded bytes: base64url's last character carries two unused bits, so
    // four spellings decode to the same HMAC, and a link must have one.
    const expected = Buffer.from(this.sign(path, pairs, expires), "ascii");
    const given = Buffer.from(signatures[0] as string, "ascii");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        ok: false,
        message:
          "signed link: the signature does not match this path and these arguments (changed, or the secret was rotated)",
      };
    }
    if (expires * 1000 <= now.getTime()) {
      return { ok: false, message: `signed link: expired at ${new Date(expires * 1000).toISOString()}` };
    }
    return { ok: true, expires };
  }
}
