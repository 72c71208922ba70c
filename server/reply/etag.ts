import { createHash } from "node:crypto";
import type { Core4Context } from "../router/types.js";

/** How long a shared cache may keep a reply to a signed link, in seconds. */
const SIGNED_MAX_AGE = 300;

/**
 * A weak entity tag for everything that determines a reply (arguments, the config that changes the
 * numbers, the data version): the same parts give the same tag. Weak, since JSON replies carry a request
 * id and a timestamp that change while the content does not.
 */
export function entityTag(parts: unknown): string {
  return `W/"${createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 27)}"`;
}

function matches(header: string, tag: string): boolean {
  const opaque = tag.replace(/^W\//, "");
  return header.split(",").some((entry) => {
    const candidate = entry.trim();
    return candidate === "*" || candidate.replace(/^W\//, "") === opaque;
  });
}

/**
 * Sets `ETag` and `Cache-Control` (docs/contracts.md "HTTP", Caching): `private, no-cache` for logged-in
 * requests, `public, max-age=300` (never beyond the link's expiry) for signed links. When `If-None-Match`
 * names the tag, answers 304 with no body and returns true: the handler has nothing more to do.
 */
export function freshReply(ctx: Core4Context, tag: string, now: Date = new Date()): boolean {
  ctx.set("ETag", tag);
  const signed = ctx.state.signedLink;
  if (signed) {
    const left = Math.max(0, signed.expires - Math.floor(now.getTime() / 1000));
    ctx.set("Cache-Control", `public, max-age=${Math.min(SIGNED_MAX_AGE, left)}`);
  } else {
    ctx.set("Cache-Control", "private, no-cache");
  }
  const header = ctx.get("If-None-Match");
  if (header === "" || !matches(header, tag)) return false;
  ctx.status = 304;
  ctx.body = null;
  return true;
}
