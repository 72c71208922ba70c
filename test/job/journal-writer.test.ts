import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import type { CookieDocument, JobLogger } from "../../framework/job/index.js";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { JournalWriter } from "../../framework/run/index.js";
import { freePort } from "../../framework/services/process-tools.js";
import { testMongoClient, uniqueName } from "../support/services.js";

/** A logger that keeps what it is told. */
function recordingLogger(): JobLogger & { records: { level: string; message: string; extra?: object }[] } {
  const records: { level: string; message: string; extra?: object }[] = [];
  const at =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void => {
      records.push({ level, message, ...(extra ? { extra } : {}) });
    };
  const logger = {
    records,
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

let runs = 0;
function entry(extra: Partial<JournalEntry> = {}): JournalEntry {
  const now = new Date();
  runs++;
  return {
    _id: `job-${runs}:0:1`,
    job_id: `job-${runs}`,
    name: "t.Journal",
    args: { n: runs },
    state: "complete",
    progress: { value: 1, message: null },
    attempts: 1,
    attemptsLeft: 0,
    enqueued: now,
    started: now,
    finished: now,
    runtime: 0,
    sources: [],
    error: null,
    hostname: "test",
    pid: process.pid,
    inline: false,
    ...extra,
  };
}

function collections(client: MongoClient, db: string) {
  return {
    journal: client.db(db).collection<JournalEntry>("journal"),
    cookies: client.db(db).collection<CookieDocument>("cookie"),
  };
}

describe("JournalWriter", async () => {
  const client = await testMongoClient();
  const fresh = () => collections(client, uniqueName("journal"));

  it("stores each run once when an entry is written again (a retry after a lost answer)", async () => {
    const { journal, cookies } = fresh();
    const first = entry();
    await journal.insertOne({ ...first });
    const logger = recordingLogger();
    const writer = new JournalWriter(journal, cookies, logger, { delayMs: 0 });
    const second = entry();
    writer.add(first);
    writer.add(second);
    await writer.flush();
    expect(await journal.countDocuments({ _id: { $in: [first._id, second._id] } })).toBe(2);
    expect(writer.droppedEntries).toBe(0);
    expect(logger.records.filter((r) => r.level === "error")).toEqual([]);
  });

  it("replaces a copy the journal recovery wrote meanwhile with the worker's own entry", async () => {
    const { journal, cookies } = fresh();
    const own = entry({ sources: ["upload.csv"] });
    await journal.insertOne({ ...own, sources: [], hostname: "", pid: 0, recovered: true });
    const writer = new JournalWriter(journal, cookies, recordingLogger(), { delayMs: 0 });
    writer.add(own);
    await writer.flush();
    const stored = await journal.findOne({ _id: own._id });
    expect(stored).toMatchObject({ hostname: "test", sources: ["upload.csv"] });
    expect(stored?.recovered).toBeUndefined();
    expect(writer.droppedEntries).toBe(0);
  });

  it("keeps a different run stored under the same run id, under an id of its own, and warns", async () => {
    const { journal, cookies } = fresh();
    // The first run was journaled; Redis then lost its last second and BullMQ ran the job again under the
    // same run id, on another process, later.
    const first = entry({ pid: 4242, hostname: "host-a" });
    await journal.insertOne({ ...first });
    const later = new Date((first.started?.getTime() ?? 0) + 5_000);
    const second = { ...first, started: later, finished: later, pid: 4343, hostname: "host-b" };
    const logger = recordingLogger();
    const writer = new JournalWriter(journal, cookies, logger, { delayMs: 0 });
    writer.add(second);
    writer.add({ ...second });
    await writer.flush();
    const runs = await journal.find({ job_id: first.job_id }).sort({ started: 1 }).toArray();
    expect(runs.map((r) => r.pid)).toEqual([4242, 4343]);
    expect(runs[1]?._id).not.toBe(first._id);
    expect(logger.records.filter((r) => r.level === "warn").map((r) => r.message)).toContain(
      "a different run of a job under the same run id: journaled under its own id",
    );
    // The same run written again is still stored once.
    const again = new JournalWriter(journal, cookies, recordingLogger(), { delayMs: 0 });
    again.add({ ...first });
    await again.flush();
    expect(await journal.countDocuments({ job_id: first.job_id })).toBe(2);
  });

  it("gives up only on the entry MongoDB refuses, and says which", async () => {
    const { journal, cookies } = fresh();
    const logger = recordingLogger();
    const writer = new JournalWriter(journal, cookies, logger, { delayMs: 0 });
    const good = [entry(), entry()];
    // MongoDB refuses an array as `_id` (a per-document error, like a failed schema validation).
    const bad = { ...entry({ job_id: "bad-one" }), _id: [1] } as unknown as JournalEntry;
    writer.add(good[0] as JournalEntry);
    writer.add(bad);
    writer.add(good[1] as JournalEntry);
    await writer.flush();
    expect(await journal.countDocuments()).toBe(2);
    expect(await journal.countDocuments({ job_id: "bad-one" })).toBe(0);
    expect(writer.droppedEntries).toBe(1);
    const errors = logger.records.filter((r) => r.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extra).toMatchObject({ entries: 1, jobIds: ["bad-one"] });
  });

  it("does not let one document too large to send take its batch down with it", async () => {
    const { journal, cookies } = fresh();
    const logger = recordingLogger();
    const writer = new JournalWriter(journal, cookies, logger, { delayMs: 0 });
    const huge = entry({ job_id: "huge", error: "x".repeat(17 * 1024 * 1024) });
    writer.add(entry());
    writer.add(huge);
    writer.add(entry());
    await writer.flush();
    expect(await journal.countDocuments()).toBe(2);
    expect(writer.droppedEntries).toBe(1);
    expect(logger.records.find((r) => r.level === "error")?.extra).toMatchObject({ jobIds: ["huge"] });
  });

  it("writes last_runtime as the latest time per job type", async () => {
    const { journal, cookies } = fresh();
    const writer = new JournalWriter(journal, cookies, recordingLogger(), { delayMs: 0 });
    writer.touchLastRuntime("t.Journal", new Date("2026-11-02T00:00:00Z"));
    writer.touchLastRuntime("t.Journal", new Date("2026-11-01T00:00:00Z"));
    await writer.flush();
    expect(await cookies.findOne({ _id: "t.Journal" })).toMatchObject({
      last_runtime: new Date("2026-11-02T00:00:00Z"),
    });
  });

  describe("while MongoDB is down", () => {
    // A server of its own, stopped and started again on the same port: the writer's client reconnects.
    let server: EmbeddedMongoServer | undefined;
    let outageClient: MongoClient | undefined;
    afterAll(async () => {
      await outageClient?.close();
      await server?.stop();
    });

    it("keeps the entries and writes them once it is back", async () => {
      const port = await freePort();
      server = new EmbeddedMongoServer({ port });
      await server.start();
      outageClient = new MongoClient(server.uri, { serverSelectionTimeoutMS: 200 });
      const { journal, cookies } = collections(outageClient, "core4");
      const logger = recordingLogger();
      const writer = new JournalWriter(journal, cookies, logger, {
        delayMs: 0,
        retryMs: 50,
        maxRetryMs: 200,
        flushTimeoutMs: 20_000,
      });
      writer.add(entry());
      await writer.flush();
      await server.stop();

      const during = [entry(), entry(), entry()];
      for (const e of during) writer.add(e);
      writer.touchLastRuntime("t.Journal", new Date("2026-11-03T00:00:00Z"));
      await expect
        .poll(() => logger.records.some((r) => r.message === "cannot write the job journal, will retry"), {
          timeout: 10_000,
        })
        .toBe(true);
      // Held, not given up on: queued, being written again, or waiting for the next try.
      expect(writer.pendingEntries).toBe(3);

      server = new EmbeddedMongoServer({ port });
      await server.start();
      await writer.flush();
      // The restarted server is empty (in memory): exactly the entries written during the outage arrive.
      expect((await journal.find().toArray()).map((e) => e.job_id).sort()).toEqual(
        during.map((e) => e.job_id).sort(),
      );
      expect(await cookies.findOne({ _id: "t.Journal" })).toMatchObject({
        last_runtime: new Date("2026-11-03T00:00:00Z"),
      });
      expect(writer.droppedEntries).toBe(0);
    });

    it("gives up on what is left when flush times out, and logs it", async () => {
      const port = await freePort();
      const client = new MongoClient(`mongodb://127.0.0.1:${port}`, { serverSelectionTimeoutMS: 100 });
      try {
        const { journal, cookies } = collections(client, "core4");
        const logger = recordingLogger();
        const writer = new JournalWriter(journal, cookies, logger, {
          delayMs: 0,
          retryMs: 20,
          flushTimeoutMs: 500,
        });
        writer.add(entry({ job_id: "lost" }));
        await writer.flush();
        expect(writer.droppedEntries).toBe(1);
        expect(writer.pendingEntries).toBe(0);
        expect(logger.records.find((r) => r.level === "error")?.extra).toMatchObject({
          entries: 1,
          jobIds: ["lost"],
        });
      } finally {
        await client.close();
      }
    });
  });
});
