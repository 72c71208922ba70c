import { describe, expect, it } from "vitest";
import { z } from "zod";
import { coerceText, coerceTextLoose, containsDate, reviveParsed } from "../../framework/parse/index.js";
import { arg } from "../../server/request/arg.js";

function value(schema: z.ZodType, text: string): unknown {
  const result = coerceText(schema, text);
  if (!result.ok) throw new Error(`expected "${text}" to convert: ${result.message}`);
  return result.value;
}

function refusal(schema: z.ZodType, text: string): string {
  const result = coerceText(schema, text);
  if (result.ok) throw new Error(`expected "${text}" to be refused, got ${String(result.value)}`);
  return result.message;
}

describe("coercing text by the schema", () => {
  it("reads core4's boolean words", () => {
    for (const text of ["yes", "Y", " on ", "1", "TRUE", "t"]) expect(value(z.boolean(), text)).toBe(true);
    for (const text of ["no", "N", "off", "0", "False", "f"]) expect(value(z.boolean(), text)).toBe(false);
    expect(refusal(z.boolean(), "maybe")).toBe('expected yes/no, true/false or 1/0, got "maybe"');
  });

  it("reads finite numbers and refuses blank, words and infinity", () => {
    expect(value(z.number(), " 2.5 ")).toBe(2.5);
    expect(value(z.number().int().optional(), "42")).toBe(42);
    expect(value(z.int(), "-3")).toBe(-3);
    for (const text of ["", "  ", "abc", "Infinity", "NaN", "1,5"]) {
      expect(refusal(z.number(), text)).toBe(`expected a number, got "${text}"`);
    }
  });

  it("reads bigints and refuses blank text instead of reading 0", () => {
    expect(value(z.bigint(), "9007199254740993")).toBe(9007199254740993n);
    expect(refusal(z.bigint(), "")).toMatch(/expected an integer/);
    expect(refusal(z.bigint(), "1.5")).toMatch(/expected an integer/);
  });

  it("reads ISO dates strictly, refusing days that do not exist", () => {
    expect(value(z.date(), "2026-11-27")).toEqual(new Date("2026-11-27T00:00:00Z"));
    expect(value(z.date().default(new Date(0)), "2026-03-01T10:00:00+01:00")).toEqual(
      new Date("2026-03-01T09:00:00Z"),
    );
    expect(refusal(z.date(), "2026-02-30")).toBe('"2026-02-30" is not a real date or time');
    expect(refusal(z.date(), "yesterday")).toMatch(/^expected an ISO date such as 2026-11-27/);
  });

  it("reads null from empty text or the word null", () => {
    expect(value(z.null(), "")).toBeNull();
    expect(value(z.null(), "null")).toBeNull();
    expect(refusal(z.null(), "nil")).toMatch(/expected null/);
  });

  it("matches literals and enums as written, else ignoring case", () => {
    expect(value(z.enum(["fast", "slow"]), " Slow ")).toBe("slow");
    expect(value(z.literal(3), "3")).toBe(3);
    expect(value(z.literal(["a", "A"]), "A")).toBe("A");
    expect(refusal(z.enum(["fast", "slow"]), "medium")).toBe('expected one of fast, slow, got "medium"');
    expect(refusal(z.literal("on"), "off")).toBe('expected on, got "off"');
  });

  it("reads arrays as JSON or a,b,c, each item by the element's rule", () => {
    expect(value(z.array(z.string()), "bob, alice")).toEqual(["bob", "alice"]);
    expect(value(z.array(z.number()), "1,2, 3")).toEqual([1, 2, 3]);
    expect(value(z.array(z.number()), "[1,2]")).toEqual([1, 2]);
    expect(value(z.array(z.string()), "")).toEqual([]);
    expect(refusal(z.array(z.number()), "1,x")).toBe('expected a number, got "x"');
    expect(refusal(z.array(z.number()), "[1,")).toBe('expected JSON, got "[1,"');
  });

  it("reads objects, records and tuples as JSON, with nested dates revived", () => {
    const schema = z.object({ at: z.date(), spans: z.array(z.object({ from: z.date().optional() })) });
    expect(
      value(schema, '{"at":"2026-01-02","spans":[{"from":"2026-01-03T10:00:00Z"}],"x":"2026-01-04"}'),
    ).toEqual({
      at: new Date("2026-01-02T00:00:00Z"),
      spans: [{ from: new Date("2026-01-03T10:00:00Z") }],
      x: "2026-01-04",
    });
    expect(value(z.record(z.string(), z.date()), '{"a":"2026-01-02"}')).toEqual({
      a: new Date("2026-01-02T00:00:00Z"),
    });
    expect(value(z.tuple([z.date(), z.string()]), '["2026-01-02","2026-01-02"]')).toEqual([
      new Date("2026-01-02T00:00:00Z"),
      "2026-01-02",
    ]);
    expect(refusal(z.object({}), "{oops")).toBe('expected JSON, got "{oops"');
    // A nested date that is not real stays a string, for the schema to refuse with its path.
    expect(
      z.object({ at: z.date() }).safeParse(value(z.object({ at: z.date() }), '{"at":"2026-02-30"}')).success,
    ).toBe(false);
  });

  it("takes the first union option that converts and validates", () => {
    const maxParallel = z.union([z.number().int().min(1), z.literal(Number.POSITIVE_INFINITY)]);
    expect(value(maxParallel, "4")).toBe(4);
    expect(value(maxParallel, "Infinity")).toBe(Number.POSITIVE_INFINITY);
    // None validates: the first conversion, so the schema gives its own message.
    expect(value(maxParallel, "0")).toBe(0);
    expect(refusal(maxParallel, "many")).toBe('expected a number or Infinity, got "many"');
    expect(value(z.union([z.string(), z.number()]), "5")).toBe("5");
    expect(value(z.union([z.date(), z.literal("now")]), "NOW")).toBe("now");
  });

  it("follows pipes to their input and leaves strings alone", () => {
    expect(
      value(
        z.number().transform((n) => n * 2),
        "21",
      ),
    ).toBe(21);
    expect(value(z.string(), " 123 ")).toBe(" 123 ");
  });

  it("in the loose form, leaves what does not convert for the schema", () => {
    expect(coerceTextLoose(z.number(), "many")).toBe("many");
    expect(coerceTextLoose(z.array(z.number()), "1,x")).toEqual([1, "x"]);
    expect(coerceTextLoose(z.object({}), "{oops")).toBe("{oops");
    expect(coerceTextLoose(z.boolean(), "no")).toBe(false);
  });

  it("revives dates in parsed JSON and knows which schemas have any", () => {
    const schema = z.object({ at: z.date().nullable(), tags: z.array(z.string()) });
    expect(reviveParsed(schema, { at: "2026-01-02", tags: ["2026-01-02"] })).toEqual({
      at: new Date("2026-01-02T00:00:00Z"),
      tags: ["2026-01-02"],
    });
    const when = new Date("2026-01-02T00:00:00Z");
    expect(reviveParsed(z.object({ at: z.date() }), when)).toBe(when);
    expect(containsDate(schema)).toBe(true);
    expect(containsDate(z.object({ tags: z.array(z.string()) }))).toBe(false);
    expect(containsDate(z.record(z.string(), z.tuple([z.date()])))).toBe(true);
  });
});

describe("request argument builders use the same rules", () => {
  it("convert query strings and keep JSON values", () => {
    expect(arg.int({ min: 1 }).parse(" 42 ")).toBe(42);
    expect(arg.int().safeParse("Infinity").success).toBe(false);
    expect(arg.int().safeParse("").error?.issues[0]?.message).toBe("expected an integer");
    expect(arg.boolean().parse("Off")).toBe(false);
    expect(arg.boolean().parse(1)).toBe(true);
    expect(arg.date().safeParse("2026-02-30").success).toBe(false);
    expect(arg.choice(["fast", "slow"]).parse("SLOW")).toBe("slow");
  });

  it("take aliases in a choice and name them in the message", () => {
    const aggregate = arg.choice(["day", "week"], { d: "day", w: "week" });
    expect(aggregate.parse("W")).toBe("week");
    expect(aggregate.parse("Day")).toBe("day");
    expect(aggregate.safeParse("fortnight").error?.issues[0]?.message).toBe(
      "expected one of day, week (or d, w)",
    );
  });

  it("revive dates nested in a JSON argument", () => {
    const schema = arg.json(z.object({ at: z.date() }));
    const at = new Date("2026-01-02T00:00:00Z");
    expect(schema.parse('{"at":"2026-01-02"}')).toEqual({ at });
    expect(schema.parse({ at: "2026-01-02" })).toEqual({ at });
    expect(schema.safeParse('{"at":"2026-02-30"}').success).toBe(false);
  });
});
