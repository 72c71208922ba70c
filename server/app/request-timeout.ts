import { HttpError } from "../errors/http-error.js";

/**
 * Resolves as `work` does, or rejects with 503 when it has not settled within `ms`. The work keeps running
 * (JavaScript cannot abort it) but its late result is discarded. One promise and one timer per request.
 */
export function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HttpError(503, `request timed out after ${ms} ms`)), ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
