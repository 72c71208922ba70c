import type { Middleware } from "koa";
import { HttpError } from "../errors/http-error.js";
import type { Core4State } from "../router/types.js";

/**
 * Answers 503 when a handler has not finished within `ms`. The handler keeps running (JavaScript cannot
 * abort it) but its late result is discarded.
 */
export function requestTimeout(ms: number): Middleware<Core4State> {
  return async (_ctx, next) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HttpError(503, `request timed out after ${ms} ms`)), ms);
    });
    try {
      await Promise.race([next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
