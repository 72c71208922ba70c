/**
 * Durability of the embedded server: every acknowledged write survives `kill -9` of the server process.
 * Embedded-only (a real MongoDB's durability is not ours to test).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { usesRealMongo } from "../support/services.js";

const external = usesRealMongo;
const mainScript = join(import.meta.dirname, "../../framework/mongo-server/main.ts");
const dataDir = mkdtempSync(join(tmpdir(), "core4-embedded-mongo-"));
const children: ChildProcess[] = [];

async function startServer(
  dir = dataDir,
  extra: string[] = [],
): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", mainScript, "--port", "0", "--data", dir, ...extra],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const uri = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`embedded server exited early with ${code}`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { uri: string }).uri));
  });
  return { child, uri };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(external)("persistence with a data folder", () => {
  it("keeps all N acknowledged writes after kill -9 and a restart", { timeout: 60_000 }, async () => {
    const N = 500;
    const first = await startServer();
    const client = new MongoClient(first.uri);
    const c = client.db("durable").collection<{ _id: number; v: number; big?: unknown }>("items");
    await c.createIndex({ v: 1 }, { unique: true });
    // Many small concurrent writes (group commit), then one batch, updates and deletes.
    await Promise.all(Array.from({ length: N }, (_, i) => c.insertOne({ _id: i, v: i })));
    await c.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: N + i, v: N + i })));
    await c.updateMany({ _id: { $lt: 50 } }, { $inc: { v: 100_000 } });
    await c.deleteMany({ _id: { $gte: N + 90 } });
    await client.db("durable").command({ collMod: "items", validator: { v: { $type: "number" } } });
    const last = await c.updateOne({ _id: 1 }, { $set: { big: 2 ** 40 } });
    expect(last.modifiedCount).toBe(1);
    first.child.kill("SIGKILL");
    await killed(first.child);
    await client.close(true);

    const second = await startServer();
    const again = new MongoClient(second.uri);
    const c2 = again.db("durable").collection<{ _id: number; v: number; big?: number }>("items");
    expect(await c2.countDocuments()).toBe(N + 90);
    expect((await c2.find({ _id: { $lt: 50 } }).toArray()).every((d) => d.v === d._id + 100_000)).toBe(true);
    expect((await c2.findOne({ _id: 1 }))?.big).toBe(2 ** 40);
    // The unique index came back too.
    await expect(c2.insertOne({ _id: 10_000, v: 300 })).rejects.toMatchObject({ code: 11000 });
    // So did the validator set by collMod.
    await expect(c2.insertOne({ _id: 10_001, v: "x" as never })).rejects.toMatchObject({ code: 121 });
    await again.close();
    second.child.kill("SIGTERM");
    await killed(second.child);
    expect(statSync(join(dataDir, "journal.bin")).size).toBeGreaterThan(0);
  });

  it("compacts the journal while running, and kill -9 during compaction loses no acknowledged write", {
    timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "core4-embedded-compact-"));
    const DOCS = 200;
    const WORKERS = 8;
    const LIMIT = 16 * 1024;
    // The last acknowledged value of every document (each worker owns the documents i % WORKERS).
    const acked = new Map<number, number>();
    let shrinks = 0;
    let largest = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const server = await startServer(dir, ["--journal-compact-bytes", String(LIMIT)]);
        const client = new MongoClient(server.uri);
        const c = client.db("compact").collection<{ _id: number; v: number; pad: string }>("items");
        if (round === 0) {
          await c.insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i, v: 0, pad: "x".repeat(20) })));
          for (let i = 0; i < DOCS; i++) acked.set(i, 0);
        } else {
          for (const [id, v] of acked) {
            const doc = await c.findOne({ _id: id });
            // Acknowledged: at least that value; at most one more (the write in flight at the kill).
            expect(doc?.v, `document ${id} after kill ${round}`).toBeGreaterThanOrEqual(v);
            expect(doc?.v).toBeLessThanOrEqual(v + 1);
            acked.set(id, doc?.v ?? v);
          }
        }
        let stop = false;
        const workers = Array.from({ length: WORKERS }, async (_, w) => {
          let k = 0;
          while (!stop) {
            const id = w + WORKERS * (k++ % (DOCS / WORKERS));
            const next = (acked.get(id) ?? 0) + 1;
            try {
              await c.updateOne({ _id: id }, { $set: { v: next } });
            } catch {
              return; // the server was killed
            }
            acked.set(id, next);
          }
        });
        const started = Date.now();
        let previous = 0;
        const before = shrinks;
        let killAt = Number.POSITIVE_INFINITY;
        // Run until this round has compacted (however loaded the machine), then kill at a different
        // moment each round, while writes and further compactions are running.
        while (Date.now() < killAt && Date.now() - started < 120_000) {
          const size = statSync(join(dir, "journal.bin")).size;
          // Only a compaction makes the append-only journal smaller while the server runs.
          if (size < previous) shrinks++;
          if (shrinks > before && killAt === Number.POSITIVE_INFINITY)
            killAt = Date.now() + 200 + round * 300;
          previous = size;
          largest = Math.max(largest, size);
          await new Promise((r) => setTimeout(r, 25));
        }
        server.child.kill("SIGKILL");
        stop = true;
        await killed(server.child);
        await Promise.all(workers);
        await client.close(true);
      }
      const server = await startServer(dir);
      const client = new MongoClient(server.uri);
      const c = client.db("compact").collection<{ _id: number; v: number }>("items");
      for (const [id, v] of acked) {
        const doc = await c.findOne({ _id: id });
        expect(doc?.v).toBeGreaterThanOrEqual(v);
        expect(doc?.v).toBeLessThanOrEqual(v + 1);
      }
      await client.close();
      server.child.kill("SIGTERM");
      await killed(server.child);
      // The journal was compacted while running and stayed bounded.
      expect(shrinks).toBeGreaterThan(0);
      expect(largest).toBeLessThan(8 * LIMIT);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
