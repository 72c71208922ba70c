import type { EventEmitter } from "node:events";
import type { JobLogger } from "../job/index.js";
import { redactUri } from "../mongo/index.js";

/** Something that emits `error` events: an ioredis client or cluster, a BullMQ Queue, Worker or QueueEvents. */
export type ErrorEmitter = EventEmitter;

// Errors that are not about reaching Redis (a lock lost, a script error) are each logged, at most this often.
const QUIET_MS = 30_000;

// What ioredis and BullMQ say while Redis (or a cluster node) cannot be reached.
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|CLUSTERDOWN|ClusterAllFailedError|Failed to refresh slots cache|MaxRetriesPerRequest|LOADING|MASTERDOWN|TRYAGAIN|READONLY|None of startup nodes is available/i;

const byLogger = new WeakMap<JobLogger, Map<string, RedisOutage>>();

/**
 * Logs Redis connection trouble once per outage, not once per retry (docs/contracts.md "Scale-out"): the first
 * error of an outage is logged with the URL's password hidden, the others are only counted, and when a
 * connection is ready again one record tells how long it lasted and how many errors it raised. Every
 * ioredis client and every BullMQ Queue, Worker and QueueEvents of a process report to the same instance
 * (one per logger and URL), so an outage is one pair of records per process, however many connections.
 */
export class RedisOutage {
  private since: number | undefined;
  private errors = 0;
  private readonly lastLogged = new Map<string, number>();

  private constructor(
    private readonly logger: JobLogger,
    private readonly url: string,
  ) {}

  /** The instance of a logger and URL. */
  static of(logger: JobLogger, url: string | undefined): RedisOutage {
    const key = url ?? "";
    let perUrl = byLogger.get(logger);
    if (!perUrl) {
      perUrl = new Map();
      byLogger.set(logger, perUrl);
    }
    let outage = perUrl.get(key);
    if (!outage) {
      outage = new RedisOutage(logger, key);
      perUrl.set(key, outage);
    }
    return outage;
  }

  /** Whether an outage is going on (an unreachable error seen, no connection ready since). */
  get ongoing(): boolean {
    return this.since !== undefined;
  }

  /** Reports the `error` events of `emitter` (named `source` in the log). */
  watch(emitter: ErrorEmitter, source: string): void {
    emitter.on("error", (error: Error) => this.error(error, source));
  }

  /** Reports the `error` events of a connection, and ends an outage when it is ready again. */
  watchConnection(connection: EventEmitter, source: string): void {
    this.watch(connection, source);
    connection.on("ready", () => this.ready());
  }

  /** Counts or logs one error. */
  error(error: Error, source: string): void {
    const message = error?.message ?? String(error);
    if (this.since !== undefined) {
      this.errors++;
      return;
    }
    if (UNREACHABLE.test(message) || UNREACHABLE.test(String((error as NodeJS.ErrnoException)?.code))) {
      this.since = Date.now();
      this.errors = 1;
      this.logger.error("Redis unreachable: retrying (further errors are counted, not logged)", {
        url: redactUri(this.url),
        source,
        reason: this.redact(message),
      });
      return;
    }
    const now = Date.now();
    const key = `${source}\n${message}`;
    if (now - (this.lastLogged.get(key) ?? 0) < QUIET_MS) return;
    if (this.lastLogged.size > 100) this.lastLogged.clear();
    this.lastLogged.set(key, now);
    this.logger.error("Redis error", { url: redactUri(this.url), source, reason: this.redact(message) });
  }

  /** A connection is usable again: ends the outage with one record. */
  ready(): void {
    if (this.since === undefined) return;
    const seconds = Math.round((Date.now() - this.since) / 100) / 10;
    this.logger.warn("Redis reachable again", {
      url: redactUri(this.url),
      outageSeconds: seconds,
      errors: this.errors,
    });
    this.since = undefined;
    this.errors = 0;
  }

  private redact(message: string): string {
    return this.url ? message.replaceAll(this.url, redactUri(this.url)) : message;
  }
}
