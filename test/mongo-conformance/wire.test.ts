/**
 * Wire-level behaviour checked with a raw socket: framing, the legacy handshake, moreToCome and bad input.
 * Embedded-only: these talk to the server without the driver (no auth, no TLS).
 */
import { connect, type Socket } from "node:net";
import { deserialize, serialize } from "bson";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedMongoServer } from "../../framework/mongo-server/index.js";
import { usesRealMongo } from "../support/services.js";

const external = usesRealMongo;
let server: EmbeddedMongoServer;
let requestId = 1;

function opMsg(doc: Record<string, unknown>, flags = 0): Buffer {
  const body = Buffer.from(serialize(doc));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(requestId++, 4);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(flags, 16);
  header[20] = 0;
  return Buffer.concat([header, body]);
}

/** An OP_MSG with a body and one document sequence (kind 1), as drivers send an insert's documents. */
function opMsgSequence(body: Record<string, unknown>, identifier: string, docs: Buffer[]): Buffer {
  const bodyBytes = Buffer.from(serialize(body));
  const name = Buffer.from(`${identifier}\0`);
  const sequence = Buffer.concat(docs);
  const sectionHead = Buffer.alloc(5);
  sectionHead[0] = 1;
  sectionHead.writeInt32LE(4 + name.length + sequence.length, 1);
  const header = Buffer.alloc(21);
  const length = 21 + bodyBytes.length + 5 + name.length + sequence.length;
  header.writeInt32LE(length, 0);
  header.writeInt32LE(requestId++, 4);
  header.writeInt32LE(2013, 12);
  header[20] = 0;
  return Buffer.concat([header, bodyBytes, sectionHead, name, sequence]);
}

function opQuery(ns: string, doc: Record<string, unknown>): Buffer {
  const body = Buffer.from(serialize(doc));
  const nsBytes = Buffer.from(`${ns}\0`);
  const head = Buffer.alloc(20);
  const tail = Buffer.alloc(8);
  tail.writeInt32LE(0, 0);
  tail.writeInt32LE(-1, 4);
  const length = 20 + nsBytes.length + 8 + body.length;
  head.writeInt32LE(length, 0);
  head.writeInt32LE(requestId++, 4);
  head.writeInt32LE(2004, 12);
  return Buffer.concat([head, nsBytes, tail, body]);
}

/** A raw connection collecting whole reply frames. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  readonly frames: Buffer[] = [];
  closed = false;
  readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        const frame = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        const waiter = this.waiting.shift();
        if (waiter) waiter(frame);
        else this.frames.push(frame);
      }
    });
    this.socket.on("close", () => {
      this.closed = true;
    });
    this.socket.on("error", () => undefined);
  }

  next(timeoutMs = 2000): Promise<Buffer> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no reply")), timeoutMs);
      this.waiting.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }
}

function msgBody(frame: Buffer): Record<string, unknown> {
  expect(frame.readInt32LE(12)).toBe(2013);
  return deserialize(frame.subarray(21));
}

beforeAll(async () => {
  server = new EmbeddedMongoServer();
  await server.start();
});
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(external)("wire protocol", () => {
  it("answers the legacy OP_QUERY isMaster with OP_REPLY, without compression", async () => {
    const raw = new RawClient(server.port);
    raw.socket.write(opQuery("admin.$cmd", { isMaster: 1, compression: ["zstd", "zlib"] }));
    const frame = await raw.next();
    expect(frame.readInt32LE(12)).toBe(1);
    expect(frame.readInt32LE(32)).toBe(1);
    const doc = deserialize(frame.subarray(36));
    expect(doc).toMatchObject({ ok: 1, ismaster: true, maxWireVersion: expect.any(Number) });
    expect(doc.compression).toBeUndefined();
    raw.socket.destroy();
  });

  it("reassembles frames split across reads and packed into one", async () => {
    const raw = new RawClient(server.port);
    const ping = opMsg({ ping: 1, $db: "admin" });
    raw.socket.write(ping.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 20));
    raw.socket.write(ping.subarray(3, 19));
    await new Promise((r) => setTimeout(r, 20));
    raw.socket.write(ping.subarray(19));
    expect(msgBody(await raw.next())).toMatchObject({ ok: 1 });
    raw.socket.write(
      Buffer.concat([opMsg({ ping: 1, $db: "admin" }), opMsg({ buildInfo: 1, $db: "admin" })]),
    );
    expect(msgBody(await raw.next())).toEqual({ ok: 1 });
    expect(msgBody(await raw.next())).toMatchObject({ ok: 1, version: expect.any(String) });
    raw.socket.destroy();
  });

  it("sends no reply for moreToCome but applies the write", async () => {
    const raw = new RawClient(server.port);
    raw.socket.write(
      opMsg({ insert: "quiet", documents: [{ _id: 1 }], $db: "wire", writeConcern: { w: 0 } }, 2),
    );
    raw.socket.write(opMsg({ find: "quiet", filter: {}, $db: "wire" }));
    const reply = msgBody(await raw.next()) as { cursor: { firstBatch: unknown[] } };
    expect(reply.cursor.firstBatch).toEqual([{ _id: 1 }]);
    expect(raw.frames).toHaveLength(0);
    raw.socket.destroy();
  });

  it("answers invalid BSON with an error and keeps the connection usable", async () => {
    const raw = new RawClient(server.port);
    const bad = opMsg({ ping: 1, $db: "admin" });
    bad.writeInt32LE(9999, 21); // the body's declared length overruns the frame
    raw.socket.write(bad);
    const error = msgBody(await raw.next());
    expect(error).toMatchObject({ ok: 0, code: 22 });
    const garbage = opMsg({ ping: 1, $db: "admin" });
    garbage[25] = 0x7e; // unknown BSON type byte
    raw.socket.write(garbage);
    expect(msgBody(await raw.next())).toMatchObject({ ok: 0 });
    raw.socket.write(opMsg({ ping: 1, $db: "admin" }));
    expect(msgBody(await raw.next())).toEqual({ ok: 1 });
    raw.socket.destroy();
  });

  it("decodes a document sequence, and refuses the whole message when one of its documents is broken", async () => {
    const raw = new RawClient(server.port);
    const docs = [1, 2, 3].map((i) => Buffer.from(serialize({ _id: i, n: `doc ${i}` })));
    raw.socket.write(opMsgSequence({ insert: "sequence", $db: "wire" }, "documents", docs));
    expect(msgBody(await raw.next())).toEqual({ n: 3, ok: 1 });

    const broken = [4, 5, 6].map((i) => Buffer.from(serialize({ _id: i, n: `doc ${i}` })));
    (broken[1] as Buffer)[4] = 0x7e; // unknown BSON type byte in the second document
    raw.socket.write(opMsgSequence({ insert: "sequence", $db: "wire" }, "documents", broken));
    expect(msgBody(await raw.next())).toMatchObject({ ok: 0, code: 22 });
    const overrun = [7, 8].map((i) => Buffer.from(serialize({ _id: i })));
    (overrun[1] as Buffer).writeInt32LE(999, 0); // the last document's length overruns the sequence
    raw.socket.write(opMsgSequence({ insert: "sequence", $db: "wire" }, "documents", overrun));
    expect(msgBody(await raw.next())).toMatchObject({ ok: 0, code: 22 });

    raw.socket.write(opMsg({ find: "sequence", filter: {}, $db: "wire" }));
    const found = msgBody(await raw.next()) as { cursor: { firstBatch: { _id: number }[] } };
    expect(found.cursor.firstBatch.map((d) => d._id)).toEqual([1, 2, 3]);
    raw.socket.destroy();
  });

  it("closes a connection that sends an impossible or oversized frame; others keep working", async () => {
    const client = new MongoClient(server.uri);
    await client
      .db("wire")
      .collection("keep")
      .insertOne({ _id: "before" } as never);

    const tiny = new RawClient(server.port);
    const header = Buffer.alloc(16);
    header.writeInt32LE(8, 0);
    tiny.socket.write(header);
    expect(await tiny.closedWithin(2000)).toBe(true);

    const huge = new RawClient(server.port);
    const big = Buffer.alloc(16);
    big.writeInt32LE(60_000_000, 0);
    big.writeInt32LE(42, 4);
    big.writeInt32LE(2013, 12);
    huge.socket.write(big);
    const reply = msgBody(await huge.next());
    expect(reply).toMatchObject({ ok: 0, code: 10334 });
    expect(await huge.closedWithin(2000)).toBe(true);

    const unknownOp = new RawClient(server.port);
    const op = opMsg({ ping: 1, $db: "admin" });
    op.writeInt32LE(2012, 12); // OP_COMPRESSED was never negotiated
    unknownOp.socket.write(op);
    expect(deserialize((await unknownOp.next()).subarray(21))).toMatchObject({ ok: 0 });
    unknownOp.socket.destroy();

    expect(await client.db("wire").collection("keep").countDocuments()).toBe(1);
    expect(await client.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
    await client.close();
  });
});
