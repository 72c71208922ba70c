import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobRunError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { runInline } from "../../framework/run/index.js";
import { createTestRuntime } from "./support.js";

const args = z.object({ db: z.string(), early: z.boolean().default(false) });

class Writer extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Writer";

  override async execute({ db, early }: z.output<typeof args>): Promise<void> {
    const items = this.collection(`${db}/items`);
    if (early) await items.insertOne({ k: "early" });
    this.setSource("first.csv");
    await items.insertOne({ k: "one" });
    await items.insertMany([{ k: "two" }, { k: "three" }]);
    await items.updateOne({ k: "up" }, { $set: { v: 1 } }, { upsert: true });
    await items.updateMany({ k: { $in: ["two", "three"] } }, { $inc: { n: 1 } });
    await items.replaceOne({ k: "one" }, { k: "one", replaced: true });
    this.setSource("second.csv");
    await items.findOneAndUpdate({ k: "pipe" }, [{ $set: { v: 2 } }], { upsert: true });
    await items.findOneAndReplace({ k: "two" }, { k: "two", replaced: true });
    await items.bulkWrite([
      { insertOne: { document: { k: "bulk-insert" } } },
      { updateOne: { filter: { k: "bulk-up" }, update: { $set: { v: 3 } }, upsert: true } },
      { replaceOne: { filter: { k: "three" }, replacement: { k: "three", replaced: true } } },
    ]);
    await this.collection("core4/sys.notes").insertOne({ k: "sys" });
  }
}

describe("source tagging", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Writer] })]);

  it("stamps _src and _job_id on every insert, update, upsert, replace and bulk write", async () => {
    const record = await runInline(runtime, Writer, { db: "tagging" });
    const docs = await runtime.mongo
      .collection("tagging/items")
      .find({}, { projection: { _id: 0 } })
      .toArray();
    const byKey = Object.fromEntries(docs.map((d) => [d.k, d]));
    for (const k of ["one", "up"]) expect(byKey[k]).toMatchObject({ _src: "first.csv", _job_id: record.id });
    for (const k of ["two", "three", "pipe", "bulk-insert", "bulk-up"]) {
      expect(byKey[k]).toMatchObject({ _src: "second.csv", _job_id: record.id });
    }
    expect(byKey.one?.replaced).toBe(true);
    expect(docs).toHaveLength(7);
    expect(record.sources).toEqual(["first.csv", "second.csv"]);
    const sys = await runtime.mongo.collection("core4/sys.notes").findOne({ k: "sys" });
    expect(sys).not.toHaveProperty("_src");
  });

  it("fails the run when a job writes before setSource", async () => {
    const failure = await runInline(runtime, Writer, { db: "tagging_early", early: true }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(JobRunError);
    expect((failure as JobRunError).message).toMatch(/before setSource\(\)/);
    expect(await runtime.mongo.collection("tagging_early/items").countDocuments()).toBe(0);
  });
});
