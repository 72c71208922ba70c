import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { deserialize, serialize } from "bson";

const OP_MSG = 2013;
const CHECKSUM_PRESENT = 1;
const MORE_TO_COME = 2;

/**
 * A wire-protocol proxy in front of a MongoDB server that answers every `insert` itself with `{n, ok: 1}`,
 * counting the documents by their length prefixes without decoding them, and passes everything else
 * through. Timing `insertMany` through it measures what the driver and the wire cost on their own: the part
 * of an insert no server can save.
 */
export async function acknowledgingProxy(
  port: number,
  host = "127.0.0.1",
): Promise<{ uri: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
    let pending: Buffer = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const frame = pending.subarray(0, length);
        pending = pending.subarray(length);
        const reply = insertReply(frame);
        if (reply === undefined) upstream.write(frame);
        else if (reply !== null) client.write(reply);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const proxyPort = typeof address === "object" && address ? address.port : 0;
  return {
    uri: `mongodb://127.0.0.1:${proxyPort}/?directConnection=true`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The reply to an insert (null when the client wants none), or undefined for any other message. */
function insertReply(frame: Buffer): Buffer | null | undefined {
  if (frame.readInt32LE(12) !== OP_MSG || frame[20] !== 0) return undefined;
  const flags = frame.readUInt32LE(16);
  const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  const bodySize = frame.readInt32LE(21);
  const body = deserialize(frame.subarray(21, 21 + bodySize)) as { insert?: unknown; documents?: unknown[] };
  if (body.insert === undefined) return undefined;
  let n = body.documents?.length ?? 0;
  for (let pos = 21 + bodySize; pos < end; ) {
    const kind = frame[pos];
    const size = frame.readInt32LE(pos + 1);
    const sectionEnd = pos + 1 + size;
    if (kind === 1) {
      let doc = frame.indexOf(0, pos + 5) + 1; // after the sequence's identifier
      for (; doc < sectionEnd; n++) doc += frame.readInt32LE(doc);
    }
    pos = sectionEnd;
  }
  if (flags & MORE_TO_COME) return null;
  const reply = Buffer.from(serialize({ n, ok: 1 }));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + reply.length, 0);
  header.writeInt32LE(0, 4);
  header.writeInt32LE(frame.readInt32LE(4), 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16);
  header[20] = 0;
  return Buffer.concat([header, reply]);
}
