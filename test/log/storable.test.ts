import { describe, expect, it } from "vitest";
import { REDACTED, redact, redactText, serializeError, toStorable } from "../../framework/log/index.js";

describe("toStorable", () => {
  it("stores an Error as name, message and stack, never as {}", () => {
    const error = Object.assign(new TypeError("bad input"), { code: "E_BAD" });
    const stored = toStorable({ error });
    expect(stored.error).toMatchObject({ name: "TypeError", message: "bad input", code: "E_BAD" });
    expect((stored.error as { stack: string }).stack).toContain("bad input");
  });

  it("keeps the cause of an error", () => {
    const error = new Error("outer", { cause: new Error("inner") });
    expect(serializeError(error).cause).toMatchObject({ name: "Error", message: "inner" });
  });

  it("redacts secrets by key and URL passwords in strings", () => {
    const stored = toStorable({
      password: "hunter2",
      dbPassword: "x",
      api_key: "k",
      nested: { token: "t", uri: "mongodb://alice:s3cret@db:27017/x" },
      username: "alice",
    });
    expect(stored).toEqual({
      password: REDACTED,
      dbPassword: REDACTED,
      api_key: REDACTED,
      nested: { token: REDACTED, uri: "mongodb://alice:***@db:27017/x" },
      username: "alice",
    });
    expect(JSON.stringify(stored)).not.toContain("s3cret");
  });

  it("cuts cycles, drops functions and renames $-fields MongoDB refuses", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const stored = toStorable({ cyclic, fn: () => 1, $where: "x", when: new Date(0), list: [1, undefined] });
    expect(stored).toEqual({
      cyclic: { a: 1, self: "[Circular]" },
      _$where: "x",
      when: new Date(0),
      list: [1, null],
    });
  });

  it("converts Maps and Sets", () => {
    expect(toStorable({ m: new Map([["k", 1]]), s: new Set([1, 2]) })).toEqual({ m: { k: 1 }, s: [1, 2] });
  });
});

describe("redact", () => {
  it("hides passwords in objects and text, leaves other values alone", () => {
    expect(redact({ user: "bob", secret: "s", list: [{ authorization: "Bearer x" }] })).toEqual({
      user: "bob",
      secret: REDACTED,
      list: [{ authorization: REDACTED }],
    });
    expect(redactText("cannot reach redis://:pw@host:6379")).toBe("cannot reach redis://:***@host:6379");
  });
});
