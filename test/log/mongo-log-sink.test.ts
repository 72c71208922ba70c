import { createServer } from "node:net";
import { type Collection, MongoClient } from "mongodb";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createLogger, type LogRecord, MongoLogSink } from "../../framework/log/index.js";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";
import { testMongoClient, testMongoUri, uniqueName } from "../support/services.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

/** A client that fails fast: MongoDB "down" without waiting for the driver's 30 s default. */
function clientFor(port: number): MongoClient {
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 300,
    connectTimeoutMS: 300,
  });
  cleanups.push(() => client.close());
  return client;
}

function record(message: string): LogRecord {
  return {
    created: new Date(),
    level: "INFO",
    levelno: 20,
    message,
    name: "test",
    hostname: "h",
    pid: process.pid,
    identifier: null,
    qual_name: null,
    user: null,
  };
}

describe("MongoLogSink with MongoDB down", () => {
  it("neither throws nor waits, keeps a bounded buffer and counts and reports the drops", async () => {
    const client = clientFor(await closedPort());
    const warnings: string[] = [];
    const drops: number[] = [];
    const sink = new MongoLogSink({
      collection: () => client.db("core4").collection<LogRecord>("sys.log"),
      bufferSize: 10,
      batchSize: 5,
      flushIntervalMs: 10,
      onDrop: (n) => drops.push(n),
      warn: (m) => warnings.push(m),
    });
    const logger = createLogger({ sink, level: "silent" });
    // The calls are synchronous: if they waited for MongoDB they could not all return before the first
    // insert attempt has even failed.
    for (let i = 0; i < 25; i++) expect(() => logger.info(`record ${i}`)).not.toThrow();
    expect(sink.stats).toEqual({ written: 0, dropped: 15, failed: 0, buffered: 10 });

    await sink.flush(5_000);
    expect(warnings.some((w) => w.startsWith("cannot write log records to sys.log"))).toBe(true);
    expect(sink.stats.written).toBe(0);
    expect(() => logger.error("still fine")).not.toThrow();

    await sink.close(1_000);
    expect(sink.stats).toEqual({ written: 0, dropped: 26, failed: 0, buffered: 0 });
    // One report for the outage, with its count.
    expect(drops).toEqual([26]);
    expect(warnings.filter((w) => w.includes("dropped"))).toEqual([
      expect.stringContaining("26 log records were dropped"),
    ]);
    logger.info("after close");
    expect(sink.stats.dropped).toBe(27);
  });

  it("writes what it buffered once MongoDB is back, and reports the outage's drops once", async () => {
    const server = new EmbeddedMongoServer();
    await server.start();
    const port = server.port;
    const client = clientFor(port);
    await client.connect();
    // MongoDB goes away after the process connected (a client that never connected stays closed).
    await server.stop();
    const warnings: string[] = [];
    const drops: number[] = [];
    const sink = new MongoLogSink({
      collection: () => client.db("core4").collection<LogRecord>(`sys.log_${uniqueName()}`),
      bufferSize: 20,
      flushIntervalMs: 20,
      maxRetryDelayMs: 200,
      onDrop: (n) => drops.push(n),
      warn: (m) => warnings.push(m),
    });
    cleanups.push(() => sink.close(1_000));
    for (let i = 0; i < 30; i++) sink.write(record(`r${i}`));
    await sink.flush(2_000);
    expect(sink.stats.written).toBe(0);

    const restarted = new EmbeddedMongoServer({ port });
    await restarted.start();
    cleanups.push(() => restarted.stop());
    await vi.waitFor(() => expect(sink.stats.written).toBe(20), { timeout: 20_000, interval: 100 });
    expect(sink.stats).toMatchObject({ dropped: 10, buffered: 0 });
    expect(drops).toEqual([10]);
    expect(warnings.filter((w) => w.includes("dropped"))).toHaveLength(1);
  });
});

describe("MongoLogSink with MongoDB up", () => {
  it("writes in batches and counts what it wrote", async () => {
    const client = await testMongoClient();
    const collection: Collection<LogRecord> = client.db(uniqueName("log")).collection("sys.log");
    const sink = new MongoLogSink({ collection: () => collection, batchSize: 7 });
    for (let i = 0; i < 50; i++) sink.write(record(`r${i}`));
    await sink.flush();
    expect(sink.stats).toEqual({ written: 50, dropped: 0, failed: 0, buffered: 0 });
    expect(await collection.countDocuments()).toBe(50);
    await sink.close();
  });

  it("sends full batches while records keep coming and leaves the remainder for the next tick", async () => {
    const client = new MongoClient(await testMongoUri(), { monitorCommands: true });
    cleanups.push(() => client.close());
    const inserts: number[] = [];
    client.on("commandStarted", (event) => {
      if (event.commandName === "insert") inserts.push((event.command.documents as unknown[]).length);
    });
    const collection: Collection<LogRecord> = client.db(uniqueName("log")).collection("sys.log");
    const sink = new MongoLogSink({ collection: () => collection, batchSize: 20, flushIntervalMs: 60_000 });
    // One record per turn of the event loop, as requests arrive: round trips finish between the writes.
    for (let i = 0; i < 65; i++) {
      sink.write(record(`r${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await vi.waitFor(() => expect(sink.stats.written).toBe(60));
    expect(inserts).toEqual([20, 20, 20]);
    expect(sink.stats.buffered).toBe(5);
    await sink.flush();
    expect(inserts).toEqual([20, 20, 20, 5]);
    expect(await collection.countDocuments()).toBe(65);
    await sink.close();
  });

  it("counts a record MongoDB refuses as failed and still writes the others", async () => {
    const client = await testMongoClient();
    const collection: Collection<LogRecord> = client.db(uniqueName("log")).collection("sys.log");
    const warnings: string[] = [];
    const sink = new MongoLogSink({ collection: () => collection, warn: (m) => warnings.push(m) });
    sink.write(record("before"));
    // Larger than MongoDB's 16 MB document limit.
    sink.write({ ...record("huge"), payload: "x".repeat(17 * 1024 * 1024) });
    sink.write(record("after"));
    await sink.flush();
    expect(sink.stats).toEqual({ written: 2, dropped: 0, failed: 1, buffered: 0 });
    expect((await collection.find().toArray()).map((d) => d.message).sort()).toEqual(["after", "before"]);
    expect(warnings).toEqual([expect.stringContaining("refused")]);
    await sink.close();
  });
});
