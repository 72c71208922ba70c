import { describe, expect, it } from "vitest";
import { loadConfig } from "../../framework/config/index.js";
import {
  CoreJob,
  checkJobClass,
  DEFAULT_JOB_SETTINGS,
  JobDefinitionError,
  UnknownJobError,
} from "../../framework/job/index.js";
import { JobRegistry } from "../../framework/run/index.js";

class Tuned extends CoreJob {
  static override readonly jobName = "t.Tuned";
  static override readonly attempts = 3;
  static override readonly deferTime = 10;
  static override readonly schedule = "0 * * * *";
  override execute(): void {}
}

class Unnamed extends CoreJob {
  override execute(): void {}
}

class Uncapped extends CoreJob {
  static override readonly jobName = "t.Uncapped";
  static override readonly maxParallel = Number.POSITIVE_INFINITY;
  override execute(): void {}
}

class BadCap extends CoreJob {
  static override readonly jobName = "t.BadCap";
  static override readonly maxParallel = 0;
  override execute(): void {}
}

describe("job settings", () => {
  const config = loadConfig({ env: {}, overrides: { jobs: { "t.Tuned": { attempts: 5, errorTime: 1 } } } });

  it("applies core4's precedence: enqueue > config > class > defaults", () => {
    expect(JobRegistry.settings({ config }, Tuned)).toEqual({
      ...DEFAULT_JOB_SETTINGS,
      attempts: 5,
      deferTime: 10,
      errorTime: 1,
    });
    expect(JobRegistry.settings({ config }, Tuned, { attempts: 7 }).attempts).toBe(7);
  });

  it("lets config replace or disable a schedule", () => {
    expect(JobRegistry.schedule({ config }, Tuned)).toBe("0 * * * *");
    const off = loadConfig({ env: {}, overrides: { jobs: { "t.Tuned": { schedule: null } } } });
    expect(JobRegistry.schedule({ config: off }, Tuned)).toBeUndefined();
  });

  it("refuses malformed job classes with the reason", () => {
    expect(() => checkJobClass(Unnamed)).toThrow(/static jobName = "<plugin>.<ClassName>"/);
    expect(() => checkJobClass(class NotAJob {})).toThrow(/not a CoreJob subclass/);
    expect(() => new JobRegistry([{ name: "other", jobs: [Tuned] }])).toThrow(JobDefinitionError);
    expect(() => JobRegistry.settings({ config }, Tuned, { attempts: 0 })).toThrow(
      /"attempts" \(enqueue\) must be a whole number >= 1, got 0/,
    );
  });

  it("refuses unknown job names, listing the registered ones", () => {
    const registry = new JobRegistry([{ name: "t", jobs: [Tuned] }]);
    expect(registry.get("t.Tuned")).toBe(Tuned);
    expect(() => registry.get("t.Nope")).toThrow(UnknownJobError);
    expect(() => registry.get("t.Nope")).toThrow(/registered: t.Tuned/);
  });

  it("takes maxParallel Infinity as no cap, and refuses a cap below 1", () => {
    const empty = loadConfig({ env: {} });
    expect(JobRegistry.settings({ config: empty }, Uncapped).maxParallel).toBe(Number.POSITIVE_INFINITY);
    expect(() => JobRegistry.settings({ config: empty }, BadCap)).toThrow(/maxParallel/);
  });
});
