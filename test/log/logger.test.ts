import { hostname } from "node:os";
import { PassThrough } from "node:stream";
import type { Collection, Db } from "mongodb";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogRecord, MongoLogSink } from "../../framework/log/index.js";
import { testMongoClient, uniqueName } from "../support/services.js";

let db: Db;

beforeAll(async () => {
  db = (await testMongoClient()).db(uniqueName("log"));
});

/** A logger writing to a fresh sys.log collection and to a captured stream instead of stderr. */
function setup(
  options: { level?: "info" | "debug" | "warn" | "silent"; mongoLevel?: "info" | "debug" | "warn" } = {},
) {
  const collection: Collection<LogRecord> = db.collection<LogRecord>(uniqueName("sys.log"));
  const sink = new MongoLogSink({ collection: () => collection });
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const logger = createLogger({ name: "test.logger", sink, destination: stream, ...options });
  return { collection, sink, logger, lines };
}

describe("createLogger with a MongoLogSink", () => {
  it("stores records in sys.log with the fields of docs/contracts.md", async () => {
    const { collection, logger } = setup();
    logger.info("hello world", { rows: 3 });
    await logger.flush();
    const docs = await collection.find({}, { projection: { _id: 0 } }).toArray();
    expect(docs).toHaveLength(1);
    const doc = docs[0]!;
    expect(doc).toEqual({
      created: expect.any(Date),
      level: "INFO",
      levelno: 20,
      message: "hello world",
      name: "test.logger",
      hostname: hostname(),
      pid: process.pid,
      identifier: null,
      qual_name: null,
      user: null,
      rows: 3,
    });
    expect(Math.abs(doc.created.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("gives each record its ObjectId when it is logged, first in the document, not when MongoDB takes it", async () => {
    const collection = db.collection<LogRecord>(uniqueName("sys.log"));
    // The record waits in the sink's buffer for more than a second (an ObjectId counts seconds).
    const sink = new MongoLogSink({ collection: () => collection, flushIntervalMs: 60_000 });
    const logger = createLogger({ name: "test.logger", sink, destination: new PassThrough() });
    logger.info("logged before the wait");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await logger.flush();
    const [doc] = await collection.find().toArray();
    expect(Object.keys(doc ?? {})[0]).toBe("_id");
    const idSecond = Math.floor((doc?._id?.getTimestamp().getTime() ?? 0) / 1_000);
    expect(idSecond).toBe(Math.floor((doc?.created.getTime() ?? 0) / 1_000));
    await sink.close();
  });

  it("uses Python level names and numbers, and stores only at or above mongoLevel", async () => {
    const { collection, logger } = setup({ level: "warn", mongoLevel: "debug" });
    logger.trace("t");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    logger.fatal("f");
    await logger.flush();
    const docs = await collection.find().sort({ created: 1, levelno: 1 }).toArray();
    expect(docs.map((d) => [d.message, d.level, d.levelno])).toEqual([
      ["d", "DEBUG", 10],
      ["i", "INFO", 20],
      ["w", "WARNING", 30],
      ["e", "ERROR", 40],
      ["f", "CRITICAL", 50],
    ]);

    const quiet = setup({ mongoLevel: "warn" });
    quiet.logger.info("not stored");
    quiet.logger.warn("stored");
    await quiet.logger.flush();
    expect((await quiet.collection.find().toArray()).map((d) => d.message)).toEqual(["stored"]);
  });

  it("children carry identifier, qual_name and user; grandchildren inherit and override", async () => {
    const { collection, logger } = setup();
    const job = logger.child({ identifier: "job-1", qual_name: "usage.AggregateLogins", name: "usage" });
    job.info("from job");
    job.child({ user: "alice" }).info("from job for alice");
    job.child({ identifier: null }).info("identifier cleared");
    logger.info("root again");
    await logger.flush();
    const docs = await collection
      .find({}, { projection: { _id: 0, message: 1, identifier: 1, qual_name: 1, user: 1, name: 1 } })
      .toArray();
    const byMessage = Object.fromEntries(docs.map((d) => [d.message, d]));
    expect(byMessage["from job"]).toMatchObject({
      identifier: "job-1",
      qual_name: "usage.AggregateLogins",
      user: null,
      name: "usage",
    });
    expect(byMessage["from job for alice"]).toMatchObject({
      identifier: "job-1",
      qual_name: "usage.AggregateLogins",
      user: "alice",
    });
    expect(byMessage["identifier cleared"]).toMatchObject({
      identifier: null,
      qual_name: "usage.AggregateLogins",
    });
    expect(byMessage["root again"]).toMatchObject({
      identifier: null,
      qual_name: null,
      user: null,
      name: "test.logger",
    });
  });

  it("lets a record name its user (the login event) but not overwrite the fixed fields", async () => {
    const { collection, logger } = setup();
    logger
      .child({ identifier: "req-9" })
      .info("successful login", { user: "bob", level: "x", pid: -1, created: 0 });
    await logger.flush();
    const doc = await collection.findOne({ message: "successful login" });
    expect(doc).toMatchObject({
      user: "bob",
      identifier: "req-9",
      level: "INFO",
      levelno: 20,
      pid: process.pid,
    });
    expect(doc?.created).toBeInstanceOf(Date);
  });

  // With stderr quieter than the record, the logger builds the sys.log document from the call's fields
  // directly; with both, from the fields it made storable for stderr. The stored record is the same.
  it.each(["info", "silent"] as const)("stores the same record with stderr at %s", async (level) => {
    const { collection, logger } = setup({ level });
    const fields = {
      user: 7,
      name: "renamed",
      qual_name: undefined,
      level: "x",
      _id: "forged",
      $where: "x",
      apiKey: "k-123",
      url: "redis://u:pw@host:6379",
      error: new TypeError("bad"),
      skipped: () => 1,
    };
    logger.child({ identifier: "req-1", qual_name: "q.Job" }).info("with fields", fields);
    await logger.flush();
    const doc = await collection.findOne({ message: "with fields" });
    expect(doc).toMatchObject({
      level: "INFO",
      name: "renamed",
      identifier: "req-1",
      qual_name: "q.Job",
      user: "7",
      _$where: "x",
      apiKey: "[redacted]",
      url: "redis://u:***@host:6379",
      error: { name: "TypeError", message: "bad" },
    });
    expect(doc?._id).not.toBe("forged");
    expect(doc).not.toHaveProperty("skipped");
    expect(Object.keys(doc ?? {}).slice(0, 11)).toEqual([
      "_id",
      "created",
      "level",
      "levelno",
      "message",
      "name",
      "hostname",
      "pid",
      "identifier",
      "qual_name",
      "user",
    ]);
  });

  it("stores an error's message and stack, and never a password", async () => {
    const { collection, logger, lines } = setup();
    logger.error("job failed", { error: new RangeError("day out of range"), password: "hunter2" });
    await logger.flush();
    const doc = await collection.findOne({ message: "job failed" });
    expect(doc?.error).toMatchObject({ name: "RangeError", message: "day out of range" });
    expect(String((doc?.error as { stack?: string } | undefined)?.stack)).toContain(
      "RangeError: day out of range",
    );
    expect(JSON.stringify(doc)).not.toContain("hunter2");
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("writes JSON lines with the bindings to its destination, at or above level", async () => {
    const { logger, lines } = setup({ level: "info" });
    logger.debug("too low");
    logger
      .child({ identifier: "job-7", user: "carol" })
      .info("visible", { n: 1, level: "fake", msg: "fake" });
    await logger.flush();
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({
      level: "info",
      msg: "visible",
      name: "test.logger",
      identifier: "job-7",
      user: "carol",
      n: 1,
      pid: process.pid,
    });
  });

  it("never throws into the caller, whatever extra it is given", async () => {
    const { logger } = setup();
    const hostile = {
      get boom(): never {
        throw new Error("getter exploded");
      },
    };
    expect(() => logger.info("hostile extra", hostile)).not.toThrow();
    await logger.flush();
  });
});
