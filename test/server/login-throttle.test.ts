import { describe, expect, it } from "vitest";
import { LoginThrottle } from "../../server/auth/login-throttle.js";
import { HttpError, type LoginThrottleOptions } from "../../server/index.js";

const options: LoginThrottleOptions = { baseDelayMs: 100, maxNameDelayMs: 400, maxAddressDelayMs: 1_600 };

describe("LoginThrottle", () => {
  it("doubles the delay with each failure, per name capped low so a user is never locked out", () => {
    const throttle = new LoginThrottle(options);
    expect(throttle.delayFor("alice", "10.0.0.1")).toBe(0);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      throttle.failure("alice", "10.0.0.1");
      // Another address trying alice only meets the name's (capped) delay.
      seen.push(throttle.delayFor("alice", "10.0.0.2"));
    }
    expect(seen).toEqual([100, 200, 400, 400, 400, 400]);
  });

  it("slows down one address trying many names more", () => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < 6; i++) throttle.failure(`user${i}`, "10.0.0.9");
    expect(throttle.delayFor("someone-new", "10.0.0.9")).toBe(1_600);
    expect(throttle.delayFor("someone-new", "10.0.0.10")).toBe(0);
  });

  it("forgets a name's and an address's failures after a success", () => {
    const throttle = new LoginThrottle(options);
    throttle.failure("bob", "10.0.0.3");
    throttle.failure("bob", "10.0.0.3");
    throttle.success("bob", "10.0.0.3");
    expect(throttle.delayFor("bob", "10.0.0.3")).toBe(0);
  });

  it("refuses more parallel attempts from one address than allowed", async () => {
    const throttle = new LoginThrottle({ ...options, maxPendingPerAddress: 2 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = throttle.attempt("a", "10.0.0.4", () => gate);
    const second = throttle.attempt("b", "10.0.0.4", () => gate);
    const third = throttle.attempt("c", "10.0.0.4", () => gate);
    await expect(third).rejects.toMatchObject({ status: 429 });
    await expect(third).rejects.toBeInstanceOf(HttpError);
    release();
    await Promise.all([first, second]);
    await expect(throttle.attempt("d", "10.0.0.4", async () => "ok")).resolves.toBe("ok");
  });

  it("bounds the names it remembers", () => {
    const throttle = new LoginThrottle({ ...options, maxEntries: 3 });
    for (const name of ["n1", "n2", "n3", "n4"]) throttle.failure(name, `addr-${name}`);
    expect(throttle.delayFor("n1", "elsewhere")).toBe(0);
    expect(throttle.delayFor("n4", "elsewhere")).toBe(100);
  });
});
