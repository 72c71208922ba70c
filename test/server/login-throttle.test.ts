import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LoginThrottle, type LoginThrottleStore } from "../../server/auth/login-throttle.js";
import { HttpError, type LoginThrottleOptions } from "../../server/index.js";
import { testRedisUrl, uniqueName } from "../support/services.js";

const options: LoginThrottleOptions = { baseDelayMs: 100, maxNameDelayMs: 400, maxAddressDelayMs: 1_600 };

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

/** Counters in this process's memory, and in Redis (what server processes share). */
const stores: [string, () => LoginThrottleStore][] = [
  ["memory", () => ({})],
  [
    "redis",
    () => {
      const redis = new Redis(testRedisUrl());
      clients.push(redis);
      return { redis, keyPrefix: uniqueName("throttle") };
    },
  ],
];

describe.each(stores)("LoginThrottle (%s)", (_kind, store) => {
  it("doubles the delay with each failure, per name capped low so a user is never locked out", async () => {
    const throttle = new LoginThrottle(options, store());
    expect(await throttle.delayFor("alice", "10.0.0.1")).toBe(0);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      await throttle.failure("alice", "10.0.0.1");
      // Another address trying alice only meets the name's (capped) delay.
      seen.push(await throttle.delayFor("alice", "10.0.0.2"));
    }
    expect(seen).toEqual([100, 200, 400, 400, 400, 400]);
  });

  it("slows down one address trying many names more", async () => {
    const throttle = new LoginThrottle(options, store());
    for (let i = 0; i < 6; i++) await throttle.failure(`user${i}`, "10.0.0.9");
    expect(await throttle.delayFor("someone-new", "10.0.0.9")).toBe(1_600);
    expect(await throttle.delayFor("someone-new", "10.0.0.10")).toBe(0);
  });

  it("forgets a name's failures and the address's failures for that name after a success", async () => {
    const throttle = new LoginThrottle(options, store());
    await throttle.failure("bob", "10.0.0.3");
    await throttle.failure("bob", "10.0.0.3");
    await throttle.success("bob", "10.0.0.3");
    expect(await throttle.delayFor("bob", "10.0.0.3")).toBe(0);
  });

  it("keeps an address's failures for other names after a success (an attacker's own account)", async () => {
    const throttle = new LoginThrottle(options, store());
    for (let i = 0; i < 5; i++) await throttle.failure("victim", "10.0.0.5");
    await throttle.failure("attacker", "10.0.0.5");
    await throttle.success("attacker", "10.0.0.5");
    // Five guesses at the victim remain: 100 · 2^4 = 1600 ms (the address cap), not reset to 0.
    expect(await throttle.delayFor("someone", "10.0.0.5")).toBe(1_600);
  });

  it("refuses more parallel attempts from one address than allowed", async () => {
    const throttle = new LoginThrottle({ ...options, maxPendingPerAddress: 2 }, store());
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = 0;
    const check = () => {
      started++;
      return gate;
    };
    const first = throttle.attempt("a", "10.0.0.4", check);
    const second = throttle.attempt("b", "10.0.0.4", check);
    await expect.poll(() => started, { timeout: 10_000 }).toBe(2);
    const third = throttle.attempt("c", "10.0.0.4", check);
    await expect(third).rejects.toMatchObject({ status: 429 });
    await expect(third).rejects.toBeInstanceOf(HttpError);
    release();
    await Promise.all([first, second]);
    await expect(throttle.attempt("d", "10.0.0.4", async () => "ok")).resolves.toBe("ok");
  });
});

describe("LoginThrottle in Redis", () => {
  it("gives two server processes sharing one Redis one budget", async () => {
    const keyPrefix = uniqueName("shared");
    const one = new LoginThrottle(options, { ...stores[1]?.[1](), keyPrefix });
    const two = new LoginThrottle(options, { ...stores[1]?.[1](), keyPrefix });
    for (let i = 0; i < 3; i++) await one.failure("carol", "10.0.1.1");
    expect(await two.delayFor("carol", "10.0.1.2")).toBe(400);
    expect(await two.delayFor("dave", "10.0.1.1")).toBe(400);
  });

  it("falls back to its own memory while Redis is unreachable", async () => {
    const redis = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on("error", () => {});
    clients.push(redis);
    const throttle = new LoginThrottle(options, { redis, keyPrefix: uniqueName("down") });
    await throttle.failure("erin", "10.0.2.1");
    expect(await throttle.delayFor("erin", "10.0.2.1")).toBe(100);
  });
});
