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

const external = /^mongodb/.test(process.env.CORE4_MONGODB_URI ?? "");
const mainScript = join(import.meta.dirname, "../../framework/embedded/mongo/main.ts");
const dataDir = mkdtempSync(join(tmpdir(), "core4-embedded-mongo-"));
const children: ChildProcess[] = [];

async function startServer(): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", mainScript, "--port", "0", "--data", dataDir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
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
});
