import type { Middleware } from "koa";
import { clientAddress } from "../auth/authenticator.js";
import { HttpError } from "../errors/http-error.js";
import type { Core4Context, Core4State } from "../router/types.js";

/**
 * The heavy-report guard: at most `perUser` report computations (routes declared `heavy`) run at once for
 * one user, or for one client address when the request has no login (signed links, public reports). A
 * max-range report costs a noticeable share of the event loop and memory, so a few parallel ones from one
 * caller must not starve everyone else. Counted per server process.
 */
export class ReportLimiter {
  private readonly running = new Map<string, number>();

  /** @param perUser Config `server.reportConcurrency`. */
  constructor(private readonly perUser: number) {}

  /** Middleware counting the request against its caller's budget while the handler runs. */
  middleware(): Middleware<Core4State> {
    return async (ctx, next) => {
      const user = ctx.state.user?.name;
      const key = user ? `user:${user}` : `addr:${clientAddress(ctx as Core4Context)}`;
      const now = this.running.get(key) ?? 0;
      if (now >= this.perUser) {
        throw new HttpError(
          429,
          `too many reports at once: at most ${this.perUser} per user run in parallel (server.reportConcurrency); retry when one has finished`,
          { "Retry-After": "2" },
        );
      }
      this.running.set(key, now + 1);
      try {
        await next();
      } finally {
        const left = (this.running.get(key) ?? 1) - 1;
        if (left <= 0) this.running.delete(key);
        else this.running.set(key, left);
      }
    };
  }
}
