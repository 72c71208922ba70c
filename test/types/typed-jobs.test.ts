/**
 * Compile-time guarantees of the job API, checked by `npm run typecheck` (the `@ts-expect-error` lines fail
 * the typecheck when the error they expect goes away) and, at run time, by what each line does.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { CoreJob, definePlugin } from "../../framework/index.js";

const greetArgs = z.object({ name: z.string(), times: z.number().default(1), on: z.date().optional() });

class Greet extends CoreJob.withArgs(greetArgs) {
  static override readonly jobName = "typed.Greet";
  override execute(args: z.output<typeof greetArgs>) {
    expectTypeOf(args.times).toEqualTypeOf<number>();
    return `${args.name} x${args.times}`;
  }
}

const otherArgs = z.object({ count: z.number() });

// The mistake the types must catch: execute() typed by one schema, static args another.
class Mismatched extends CoreJob<typeof greetArgs> {
  static override readonly jobName = "typed.Mismatched";
  static override readonly args = otherArgs;
  override execute() {}
}

describe("typed jobs", () => {
  it("withArgs sets the static args to the schema execute() is typed with", () => {
    expect(Greet.args).toBe(greetArgs);
    expectTypeOf(Greet.args).toEqualTypeOf<typeof greetArgs>();
  });

  it("registers a consistent job and refuses a class whose args and execute() disagree", () => {
    expect(definePlugin({ name: "typed", jobs: [Greet] }).jobs).toEqual([Greet]);
    // @ts-expect-error static args is not the schema of CoreJob<typeof greetArgs>
    expect(() => definePlugin({ name: "typed", jobs: [Greet, Mismatched] })).not.toThrow();
  });
});
