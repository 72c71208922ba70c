import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../framework/config/index.js";
import { CoreJob, JobDefinitionError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobRegistry } from "../../framework/run/index.js";

const daily = z.object({ day: z.date(), reset: z.boolean().default(false) });

function job(name: string, statics: Record<string, unknown>, args: z.ZodObject = z.object({})) {
  const jobClass = class extends CoreJob {
    override execute(): void {}
  };
  Object.defineProperties(jobClass, {
    jobName: { value: name },
    args: { value: args },
    ...Object.fromEntries(Object.entries(statics).map(([k, value]) => [k, { value }])),
  });
  return jobClass;
}

describe("registration checks", () => {
  it("refuses a schedule on a job with a required argument without default, naming job and argument", () => {
    const scheduled = job("r.Daily", { schedule: "0 1 * * *" }, daily);
    expect(() => definePlugin({ name: "r", jobs: [scheduled] })).toThrow(JobDefinitionError);
    expect(() => definePlugin({ name: "r", jobs: [scheduled] })).toThrow(
      /job r\.Daily: schedule "0 1 \* \* \*" needs a default for every argument .* "day" has none/,
    );
    // Without a schedule the same job registers; with a default for "day" it may be scheduled.
    expect(() => definePlugin({ name: "r", jobs: [job("r.Daily", {}, daily)] })).not.toThrow();
    const withDefault = z.object({ day: z.date().default(() => new Date()) });
    expect(() =>
      definePlugin({ name: "r", jobs: [job("r.Daily", { schedule: "0 1 * * *" }, withDefault)] }),
    ).not.toThrow();
  });

  it("refuses a bad cron pattern or time zone naming the job", () => {
    expect(() => definePlugin({ name: "r", jobs: [job("r.Bad", { schedule: "every day" })] })).toThrow(
      /job r\.Bad: setting "schedule" \(class\) must be a cron pattern/,
    );
    expect(() => definePlugin({ name: "r", jobs: [job("r.Bad", { schedule: "0 25 * * *" })] })).toThrow(
      /job r\.Bad: setting "schedule" .*cron pattern/,
    );
    expect(() =>
      definePlugin({
        name: "r",
        jobs: [job("r.Bad", { schedule: "0 1 * * *", timezone: "Europe/Nowhere" })],
      }),
    ).toThrow(/job r\.Bad: setting "timezone" \(class\) must be an IANA time zone/);
  });

  it("refuses bad policy values naming the key: rateLimit max <= 0, an unknown backoff, catchupWindow < 0", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { rateLimit: { max: 0, duration: 1 } },
        /setting "rateLimit\.max" \(class\) must be a whole number >= 1, got 0/,
      ],
      [{ rateLimit: { max: -3, duration: 1 } }, /"rateLimit\.max"/],
      [
        { rateLimit: { max: 2, duration: 0 } },
        /"rateLimit\.duration" \(class\) must be a number of seconds > 0/,
      ],
      [{ backoff: "linear" }, /setting "backoff" \(class\) must be "fixed" or "exponential", got "linear"/],
      [
        { schedule: "* * * * *", catchupWindow: -1 },
        /setting "catchupWindow" \(class\) must be a number of seconds >= 0, got -1/,
      ],
      [{ schedule: "* * * * *", catchup: "some" }, /"catchup" \(class\) must be "one", "none" or "all"/],
      [{ schedule: "* * * * *", overlap: "queue" }, /"overlap" \(class\) must be "skip" or "allow"/],
      [{ journal: "some" }, /"journal" \(class\) must be "all" or "failures"/],
      [{ schedule: "* * * * *", catchup: "all" }, /catchup "all" needs overlap "allow"/],
    ];
    for (const [statics, message] of cases) {
      expect(
        () => definePlugin({ name: "r", jobs: [job("r.Policy", statics)] }),
        JSON.stringify(statics),
      ).toThrow(message);
    }
  });

  it("checks config values with the same schema, naming the job and key", () => {
    const plain = job("r.Plain", {});
    const settings = (jobs: Record<string, unknown>) =>
      JobRegistry.settings({ config: loadConfig({ env: {}, overrides: { jobs } }) }, plain);
    // The rules class values follow hold in config too.
    expect(settings({ "r.Plain": { deferTime: 0, maxParallel: Number.POSITIVE_INFINITY } })).toMatchObject({
      deferTime: 0,
      maxParallel: Number.POSITIVE_INFINITY,
    });
    expect(() => settings({ "r.Plain": { rateLimit: { max: 0, duration: 1 } } })).toThrow(/rateLimit\.max/);
    expect(() => settings({ "r.Plain": { backoff: "linear" } })).toThrow(/backoff/);
    const daily2 = job("r.Daily", {}, daily);
    const config = loadConfig({ env: {}, overrides: { jobs: { "r.Daily": { schedule: "0 1 * * *" } } } });
    expect(() => JobRegistry.of({ config, plugins: [{ name: "r", jobs: [daily2] }] })).toThrow(
      /job r\.Daily: schedule .* "day" has none/,
    );
  });
});
