import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type JobArgumentError,
  jobIdentityKey,
  parseJobArgs,
  parseKeyValueArgs,
  restoreJobArgs,
  serializeJobArgs,
} from "../../framework/job/index.js";

const schema = z.object({
  start: z.date().optional(),
  reset: z.boolean().default(false),
  limit: z.number().int().min(1).optional(),
  tags: z.array(z.string()).optional(),
  mode: z.enum(["fast", "slow"]).default("fast"),
});

describe("job arguments", () => {
  it("refuses inherited names like constructor and __proto__ as unknown arguments", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const raw = JSON.parse(`{${JSON.stringify(name)}: "x"}`) as Record<string, unknown>;
      expect(() => parseJobArgs("t.Job", schema, raw), name).toThrow(`unknown argument "${name}" for t.Job`);
      expect(() => parseJobArgs("t.Job", schema, parseKeyValueArgs([`${name}=x`])), name).toThrow(
        /unknown argument/,
      );
    }
  });

  it("converts CLI and HTTP strings to the schema's types", () => {
    const args = parseJobArgs(
      "t.Job",
      schema,
      parseKeyValueArgs(["start=2026-01-02", "reset=yes", "limit=5", "tags=a,b"]),
    );
    expect(args.start).toEqual(new Date("2026-01-02T00:00:00Z"));
    expect(args.reset).toBe(true);
    expect(args.limit).toBe(5);
    expect(args.tags).toEqual(["a", "b"]);
    expect(args.mode).toBe("fast");
  });

  it("accepts core4's boolean spellings", () => {
    for (const [text, value] of [
      ["y", true],
      ["on", true],
      ["1", true],
      ["TRUE", true],
      ["n", false],
      ["off", false],
      ["0", false],
      ["False", false],
    ] as const) {
      expect(parseJobArgs("t.Job", schema, { reset: text }).reset).toBe(value);
    }
  });

  it("takes JSON values as they are and datetimes with zones", () => {
    const args = parseJobArgs("t.Job", schema, { start: "2026-03-01T10:00:00+01:00", reset: true, limit: 3 });
    expect(args.start?.toISOString()).toBe("2026-03-01T09:00:00.000Z");
    expect(args.limit).toBe(3);
  });

  it("names the argument in every refusal", () => {
    const refusal = (raw: Record<string, unknown>): JobArgumentError => {
      try {
        parseJobArgs("t.Job", schema, raw);
      } catch (error) {
        return error as JobArgumentError;
      }
      throw new Error("expected a refusal");
    };
    expect(refusal({ start: "yesterday" }).message).toMatch(/argument "start".*ISO date/);
    expect(refusal({ reset: "maybe" }).message).toMatch(/argument "reset".*yes\/no/);
    expect(refusal({ limit: "many" }).message).toMatch(/argument "limit".*number/);
    expect(refusal({ limit: "0" }).message).toMatch(/argument "limit"/);
    expect(refusal({ mode: "medium" }).message).toMatch(/argument "mode"/);
    expect(refusal({ colour: "red" }).message).toMatch(/unknown argument "colour".*expected start, reset/);
    expect(refusal({ colour: "red" }).argument).toBe("colour");
    expect(() => parseKeyValueArgs(["start"])).toThrow(/key=value/);
  });

  it("round-trips through storage with dates restored", () => {
    const args = parseJobArgs("t.Job", schema, { start: "2026-01-02", reset: "1" });
    const stored = serializeJobArgs(args);
    expect(stored).toEqual({ start: "2026-01-02T00:00:00.000Z", reset: true, mode: "fast" });
    expect(restoreJobArgs("t.Job", schema, stored)).toEqual(args);
  });

  it("gives equal identities to equal arguments in any order", () => {
    const a = serializeJobArgs(parseJobArgs("t.Job", schema, { reset: "yes", limit: "2" }));
    const b = serializeJobArgs(parseJobArgs("t.Job", schema, { limit: 2, reset: true }));
    expect(jobIdentityKey("t.Job", a)).toBe(jobIdentityKey("t.Job", b));
    expect(jobIdentityKey("t.Job", a)).not.toBe(jobIdentityKey("t.Other", a));
    expect(jobIdentityKey("t.Job", a)).not.toBe(jobIdentityKey("t.Job", { ...a, limit: 3 }));
  });

  it("keeps the identity of queued jobs across versions: the same arguments always hash to the same key", () => {
    // The key of jobs already in Redis: a change of the hashed text would let duplicates in after an upgrade.
    const args = {
      day: "2026-11-27",
      limit: 2,
      tags: ["b", "a"],
      nested: { z: 1, a: null, u: undefined },
      é: 1,
      Z: 2,
    };
    expect(jobIdentityKey("t.Job", args)).toBe("f7020c27b69b7d5a46b9d38cb9adb436ebe7b4ad");
  });
});
