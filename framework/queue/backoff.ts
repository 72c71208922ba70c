import type { BackoffOptions, MinimalJob } from "bullmq";
import type { JobSettings } from "../job/index.js";

/** Share of an exponential wait taken off at random, so that jobs failing together do not retry together. */
export const BACKOFF_JITTER = 0.2;

/** The BullMQ backoff type of core4's capped exponential backoff (BullMQ's own has no cap). */
export const EXPONENTIAL_BACKOFF = "core4.exponential";

/** BullMQ's backoff options with the cap of {@link EXPONENTIAL_BACKOFF}. */
interface CappedBackoff extends BackoffOptions {
  /** Longest wait in milliseconds. */
  max?: number;
}

/**
 * The BullMQ backoff of a job's settings (docs/contracts.md "Jobs: metadata and policies"): `fixed` waits
 * `errorTime` before every retry; `exponential` is a core4 type computed by {@link retryDelay} on the
 * worker, stored with the job so every worker computes the same.
 */
export function backoffOf(
  settings: Pick<JobSettings, "backoff" | "errorTime" | "maxErrorTime">,
): BackoffOptions {
  const delay = Math.round(settings.errorTime * 1000);
  if (settings.backoff === "fixed") return { type: "fixed", delay };
  const capped: CappedBackoff = {
    type: EXPONENTIAL_BACKOFF,
    delay,
    jitter: BACKOFF_JITTER,
    max: Math.round(settings.maxErrorTime * 1000),
  };
  return capped;
}

/**
 * Milliseconds before retry `n` (1 for the first retry) with exponential backoff: `base · 2^(n−1)`, capped
 * at `max`, less up to `jitter` of it at random. Never above `max`, and at least `(1 − jitter)` of the
 * uncapped value.
 */
export function exponentialDelay(
  n: number,
  base: number,
  max: number,
  jitter = BACKOFF_JITTER,
  random: () => number = Math.random,
): number {
  const full = Math.min(max, base * 2 ** Math.max(0, n - 1));
  return Math.round(full * (1 - jitter * random()));
}

/** BullMQ `settings.backoffStrategy` of a worker: computes core4's exponential backoff from the job's options. */
export function retryDelay(attemptsMade: number, type?: string, _error?: Error, job?: MinimalJob): number {
  const options = job?.opts.backoff as CappedBackoff | number | undefined;
  if (type !== EXPONENTIAL_BACKOFF || typeof options !== "object") {
    // Not ours: retry at once rather than fail the job over a backoff it cannot read.
    return 0;
  }
  const base = options.delay ?? 0;
  return exponentialDelay(attemptsMade, base, options.max ?? Number.POSITIVE_INFINITY, options.jitter);
}
