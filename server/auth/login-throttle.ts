import { setTimeout as sleep } from "node:timers/promises";
import type { Cluster, Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { HttpError } from "../errors/http-error.js";

/** Tuning of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Delay after the first failure; doubles with each further one. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest delay caused by failures for one login name. Default 4 s (a real user is slowed, never locked out). */
  maxNameDelayMs?: number;
  /** Largest delay caused by failures from one address. Default 30 s. */
  maxAddressDelayMs?: number;
  /** Login attempts one address may have in flight at once (over all server processes); more get 429. Default 4. */
  maxPendingPerAddress?: number;
  /** Failures are counted in windows of this length, starting with the first failure. Default 15 min. */
  forgetAfterMs?: number;
}

/** Where the throttle keeps its counters. */
export interface LoginThrottleStore {
  /** Redis shared by every server process; without it the counters live in this process only. */
  redis?: Redis | Cluster;
  /** Key prefix (config `redis.prefix`); the keys are `<prefix>:{login}:<kind>:<key>`. */
  keyPrefix?: string;
}

/**
 * Slows down repeated login failures per login name and per client address. The counters live in Redis
 * (rate-limiter-flexible), so every server process sharing that Redis shares one budget; while Redis is
 * unreachable, each process falls back to counters in its own memory.
 *
 * Each failure doubles the delay before the next attempt for that name or address is checked. The delay per
 * name is capped low so that an attacker guessing a real user's password can slow that user's login but
 * never lock it; the delay per address is capped higher, and an address may only have a few attempts in
 * flight, so parallel requests cannot skip the wait. A success clears the name's counter and takes back
 * only the address failures made for that name: guesses at other names from the same address still count.
 */
export class LoginThrottle {
  private readonly byName: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byPair: RateLimiterAbstract;
  private readonly pending: RateLimiterAbstract;
  private readonly options: Required<LoginThrottleOptions>;

  constructor(options: LoginThrottleOptions = {}, store: LoginThrottleStore = {}) {
    this.options = {
      baseDelayMs: 250,
      maxNameDelayMs: 4_000,
      maxAddressDelayMs: 30_000,
      maxPendingPerAddress: 4,
      forgetAfterMs: 15 * 60_000,
      ...options,
    };
    const o = this.options;
    const window = Math.max(1, Math.ceil(o.forgetAfterMs / 1000));
    // An in-flight mark outlives the longest wait plus a slow check; a crashed process's marks expire.
    const inFlight = Math.ceil((Math.max(o.maxAddressDelayMs, o.maxNameDelayMs) + 60_000) / 1000);
    const prefix = `${store.keyPrefix ?? "core4"}:{login}`;
    const limiter = (kind: string, points: number, duration: number): RateLimiterAbstract => {
      const keyPrefix = `${prefix}:${kind}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      if (!store.redis) return memory;
      return new RateLimiterRedis({
        storeClient: store.redis,
        keyPrefix,
        points,
        duration,
        insuranceLimiter: memory,
      });
    };
    // Failure counters never reject (penalty/get only): the points bound is irrelevant.
    this.byName = limiter("name", Number.MAX_SAFE_INTEGER, window);
    this.byAddress = limiter("addr", Number.MAX_SAFE_INTEGER, window);
    this.byPair = limiter("pair", Number.MAX_SAFE_INTEGER, window);
    this.pending = limiter("pending", o.maxPendingPerAddress, inFlight);
  }

  /** The delay the next attempt for this name and address waits, in milliseconds. */
  async delayFor(name: string, address: string): Promise<number> {
    const o = this.options;
    const [names, addresses] = await Promise.all([
      this.count(this.byName, name),
      this.count(this.byAddress, address),
    ]);
    return Math.max(this.delay(names, o.maxNameDelayMs), this.delay(addresses, o.maxAddressDelayMs));
  }

  /**
   * Runs a login attempt after the delay earned by earlier failures; 429 when the address already has too
   * many attempts in flight.
   */
  async attempt<T>(name: string, address: string, check: () => Promise<T>): Promise<T> {
    const taken = await this.pending.penalty(address, 1);
    try {
      if (taken.consumedPoints > this.options.maxPendingPerAddress) {
        throw new HttpError(
          429,
          "too many login attempts at once from this address: retry in a few seconds",
          {
            "Retry-After": "5",
          },
        );
      }
      const delay = await this.delayFor(name, address);
      if (delay > 0) await sleep(delay);
      return await check();
    } finally {
      await this.pending.reward(address, 1).catch(() => undefined);
    }
  }

  /** Counts a failed attempt. */
  async failure(name: string, address: string): Promise<void> {
    await Promise.all([
      this.byName.penalty(name, 1),
      this.byAddress.penalty(address, 1),
      this.byPair.penalty(pairKey(name, address), 1),
    ]);
  }

  /**
   * After a successful login: clears the name's counter and takes back the address failures made for this
   * name (the user's own typos); failures for other names from this address stay.
   */
  async success(name: string, address: string): Promise<void> {
    const pair = pairKey(name, address);
    const own = await this.count(this.byPair, pair);
    await Promise.all([this.byName.delete(name), this.byPair.delete(pair), this.takeBack(address, own)]);
  }

  private async takeBack(address: string, failures: number): Promise<void> {
    if (failures <= 0) return;
    const left = await this.byAddress.reward(address, failures);
    // The address window may have restarted since those failures: never go below zero.
    if (left.consumedPoints <= 0) await this.byAddress.delete(address);
  }

  private async count(limiter: RateLimiterAbstract, key: string): Promise<number> {
    const res = await limiter.get(key);
    return res?.consumedPoints ?? 0;
  }

  private delay(count: number, cap: number): number {
    if (count <= 0) return 0;
    const exponent = Math.min(count - 1, 30);
    return Math.min(this.options.baseDelayMs * 2 ** exponent, cap);
  }
}

function pairKey(name: string, address: string): string {
  return `${address}|${name}`;
}
