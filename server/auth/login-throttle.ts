import { setTimeout as sleep } from "node:timers/promises";
import { HttpError } from "../errors/http-error.js";

/** Tuning of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Delay after the first failure; doubles with each further one. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest delay caused by failures for one login name. Default 4 s (a real user is slowed, never locked out). */
  maxNameDelayMs?: number;
  /** Largest delay caused by failures from one address. Default 30 s. */
  maxAddressDelayMs?: number;
  /** Login attempts one address may have in flight at once; more get 429. Default 4. */
  maxPendingPerAddress?: number;
  /** Failures are forgotten after this long without a new one. Default 15 min. */
  forgetAfterMs?: number;
  /** Keys tracked at most (oldest dropped first), bounding memory under a flood of names. Default 50,000. */
  maxEntries?: number;
}

interface Failures {
  count: number;
  last: number;
}

/**
 * Slows down repeated login failures per login name and per client address, in this process.
 *
 * Each failure doubles the delay before the next attempt for that name or address is checked. The delay per
 * name is capped low so that an attacker guessing a real user's password can slow that user's login but
 * never lock it; the delay per address is capped higher, and an address may only have a few attempts in
 * flight, so parallel requests cannot skip the wait. A success clears both counters.
 */
export class LoginThrottle {
  private readonly byName = new Map<string, Failures>();
  private readonly byAddress = new Map<string, Failures>();
  private readonly pending = new Map<string, number>();
  private readonly options: Required<LoginThrottleOptions>;

  constructor(options: LoginThrottleOptions = {}) {
    this.options = {
      baseDelayMs: 250,
      maxNameDelayMs: 4_000,
      maxAddressDelayMs: 30_000,
      maxPendingPerAddress: 4,
      forgetAfterMs: 15 * 60_000,
      maxEntries: 50_000,
      ...options,
    };
  }

  /** The delay the next attempt for this name and address waits, in milliseconds. */
  delayFor(name: string, address: string): number {
    const o = this.options;
    return Math.max(
      this.delay(this.byName, name, o.maxNameDelayMs),
      this.delay(this.byAddress, address, o.maxAddressDelayMs),
    );
  }

  /**
   * Runs a login attempt after the delay earned by earlier failures; 429 when the address already has too
   * many attempts in flight.
   */
  async attempt<T>(name: string, address: string, check: () => Promise<T>): Promise<T> {
    const inFlight = this.pending.get(address) ?? 0;
    if (inFlight >= this.options.maxPendingPerAddress) {
      throw new HttpError(429, "too many login attempts at once from this address: retry in a few seconds", {
        "Retry-After": "5",
      });
    }
    this.pending.set(address, inFlight + 1);
    try {
      const delay = this.delayFor(name, address);
      if (delay > 0) await sleep(delay);
      return await check();
    } finally {
      const left = (this.pending.get(address) ?? 1) - 1;
      if (left <= 0) this.pending.delete(address);
      else this.pending.set(address, left);
    }
  }

  /** Counts a failed attempt. */
  failure(name: string, address: string): void {
    this.bump(this.byName, name);
    this.bump(this.byAddress, address);
  }

  /** Clears the counters of a name and address after a successful login. */
  success(name: string, address: string): void {
    this.byName.delete(name);
    this.byAddress.delete(address);
  }

  private delay(map: Map<string, Failures>, key: string, cap: number): number {
    const entry = map.get(key);
    if (!entry) return 0;
    if (Date.now() - entry.last > this.options.forgetAfterMs) {
      map.delete(key);
      return 0;
    }
    const exponent = Math.min(entry.count - 1, 30);
    return Math.min(this.options.baseDelayMs * 2 ** exponent, cap);
  }

  private bump(map: Map<string, Failures>, key: string): void {
    const entry = map.get(key);
    const now = Date.now();
    const count = entry && now - entry.last <= this.options.forgetAfterMs ? entry.count + 1 : 1;
    // Re-insert so the Map's insertion order is least-recently-failed first.
    map.delete(key);
    map.set(key, { count, last: now });
    if (map.size > this.options.maxEntries) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  }
}
