import { HttpError } from "../errors/http-error.js";
import type { Core4Context, RouteAccess } from "../router/types.js";
import { type EmbedLinks, SIGNATURE_PARAM } from "./embed-links.js";

/**
 * Lets a request with a signed link in (docs/contracts.md "HTTP", Signed links). The access guard asks it
 * first: a request without a `signature` argument is not its business (false: authenticate as usual); one
 * with a signature is admitted only on a route declared `embeddable`, by GET or HEAD (the query string is
 * all that was signed, so a body could change the arguments), when the signature holds. Everything else is
 * 403 with the reason.
 */
export class SignedLinkAccess {
  constructor(private readonly links: EmbedLinks) {}

  /** True when the request carries a valid signed link for this route; throws 403 for a bad one. */
  admit(ctx: Core4Context, access: RouteAccess): boolean {
    if (!new URLSearchParams(ctx.querystring).has(SIGNATURE_PARAM)) return false;
    if (!access.embeddable) {
      throw HttpError.forbidden(`signed link: ${ctx.path} does not accept signed links (not embeddable)`);
    }
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      throw HttpError.forbidden("signed link: only GET and HEAD requests may use a signed link");
    }
    const result = this.links.verify(ctx.path, ctx.querystring);
    if (!result.ok) throw HttpError.forbidden(result.message);
    ctx.state.signedLink = { expires: result.expires };
    ctx.state.logger = ctx.state.logger.child({ identifier: ctx.state.requestId, user: "signed-link" });
    return true;
  }
}
