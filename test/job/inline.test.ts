import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobArgumentError, JobRunError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { type JobRecord, type JournalEntry, runInline } from "../../framework/run/index.js";
import { createTestRuntime, eventually } from "./support.js";

const args = z.object({ day: z.date(), fail: z.boolean().default(false) });

class Report extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Report";
  static override readonly progressInterval = 0;
  seen: unknown;

  override async execute({ day, fail }: z.output<typeof args>): Promise<string> {
    this.logger.info("reporting", { day: day.toISOString() });
    await this.progress(0.5, "half of %s", day.toISOString().slice(0, 10));
    if (fail) throw new Error("the source is gone");
    return day.toISOString();
  }
}

class Deferring extends CoreJob {
  static override readonly jobName = "t.Deferring";
  override execute(): never {
    this.defer("not yet");
  }
}

describe("inline execute", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Report, Deferring] })]);
  const journal = runtime.mongo.sys<JournalEntry>("journal");

  it("runs a job in-process with typed arguments, progress, logging and a journal entry", async () => {
    const record: JobRecord = await runInline(runtime, "t.Report", { day: "2026-11-27" });
    expect(record).toMatchObject({
      name: "t.Report",
      state: "complete",
      args: { day: "2026-11-27T00:00:00.000Z", fail: false },
      progress: { value: 0.5, message: "half of 2026-11-27" },
      attempts: 1,
      error: null,
    });
    expect(record.runtime).toBeGreaterThanOrEqual(0);
    const entry = await journal.findOne({ job_id: record.id });
    expect(entry).toMatchObject({ name: "t.Report", state: "complete", inline: true });
    await runtime.logger.flush();
    const log = await eventually(() =>
      runtime.mongo
        .sys("log")
        .findOne({ message: "reporting", identifier: record.id })
        .then((d) => d ?? undefined),
    );
    expect(log).toMatchObject({
      identifier: record.id,
      qual_name: "t.Report",
      level: "INFO",
      day: "2026-11-27T00:00:00.000Z",
    });
  });

  it("rejects a bad argument before running", async () => {
    await expect(runInline(runtime, Report.jobName, { day: "someday" })).rejects.toThrow(JobArgumentError);
    await expect(runInline(runtime, Report.jobName, { day: "someday" })).rejects.toThrow(/"day"/);
  });

  it("rejects with the state and journals a failed run", async () => {
    const failure = (await runInline(runtime, Report.jobName, { day: "2026-11-27", fail: "yes" }).catch(
      (e: unknown) => e,
    )) as JobRunError;
    expect(failure).toBeInstanceOf(JobRunError);
    expect(failure.state).toBe("error");
    expect(failure.message).toMatch(/the source is gone/);
    expect(await journal.findOne({ name: "t.Report", state: "error" })).toMatchObject({
      error: "the source is gone",
    });
  });

  it("reports a deferring job as deferred", async () => {
    const failure = (await runInline(runtime, Deferring).catch((e: unknown) => e)) as JobRunError;
    expect(failure.state).toBe("deferred");
    expect(failure.message).toMatch(/not yet/);
  });

  it("ends killed when its signal is raised", async () => {
    const controller = new AbortController();
    controller.abort();
    const failure = (await runInline(runtime, Deferring, {}, { signal: controller.signal }).catch(
      (e: unknown) => e,
    )) as JobRunError;
    expect(failure.state).toBe("killed");
  });
});
