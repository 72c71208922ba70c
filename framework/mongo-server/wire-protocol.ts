/**
 * MongoDB wire protocol framing: the message header, OP_MSG, the legacy OP_QUERY handshake and OP_REPLY.
 * Only what the official driver sends is parsed; everything else is rejected by the caller.
 */
import { type Document, deserialize, deserializeStream, Long, serialize } from "bson";

/** Opcodes the server understands or answers with. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** OP_MSG flag bits. */
export const FLAG_CHECKSUM_PRESENT = 1;
export const FLAG_MORE_TO_COME = 2;
export const FLAG_EXHAUST_ALLOWED = 1 << 16;

/** Limits advertised in `hello` and enforced on every frame. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
export const MAX_WRITE_BATCH_SIZE = 100_000;

/** The 16-byte header every message starts with. */
export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A parsed request: the command document (sections of kind 1 merged in as arrays) and its flags. */
export interface ParsedRequest {
  header: MessageHeader;
  /** The command body; for OP_QUERY the query document (with `$db` derived from the namespace). */
  command: Document;
  /** True when the client expects no reply (OP_MSG `moreToCome`). */
  moreToCome: boolean;
  /** True for the legacy OP_QUERY, which must be answered with OP_REPLY. */
  legacy: boolean;
}

/** Raised for a frame whose content cannot be parsed; the connection answers it with an error. */
export class WireFormatError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly codeName: string,
  ) {
    super(message);
    this.name = "WireFormatError";
  }
}

/** Reads the header of a frame (the caller has made sure at least 16 bytes are there). */
export function readHeader(buf: Buffer): MessageHeader {
  return {
    messageLength: buf.readInt32LE(0),
    requestId: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

function readCString(buf: Buffer, start: number, end: number): [string, number] {
  const zero = buf.indexOf(0, start);
  if (zero < 0 || zero >= end)
    throw new WireFormatError("unterminated C string in message", 22, "InvalidBSON");
  return [buf.toString("utf8", start, zero), zero + 1];
}

/** The length of the BSON document at `start`, checked to lie within `end`. */
function documentSize(buf: Buffer, start: number, end: number): number {
  if (start + 5 > end) throw new WireFormatError("truncated BSON document in message", 22, "InvalidBSON");
  const size = buf.readInt32LE(start);
  if (size < 5 || start + size > end) {
    throw new WireFormatError("BSON document length exceeds the message section", 22, "InvalidBSON");
  }
  return size;
}

/** Runs a BSON decode; a failure becomes the InvalidBSON error a malformed message answers. */
function decoded<T>(decode: () => T): T {
  try {
    // Default promotion: int32/double → number, int64 → number when it fits 53 bits, else Long.
    return decode();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new WireFormatError(`invalid BSON: ${detail}`, 22, "InvalidBSON");
  }
}

function readDocument(buf: Buffer, start: number, end: number): [Document, number] {
  const size = documentSize(buf, start, end);
  return [decoded(() => deserialize(buf.subarray(start, start + size))), start + size];
}

/**
 * The documents of an OP_MSG document sequence (an insert's documents, an update's statements): their
 * sizes are checked by walking the sequence, then one `deserializeStream` call decodes them all, which
 * spares a buffer view per document (a bulk insert sends up to 100,000).
 */
function readDocumentSequence(buf: Buffer, start: number, end: number): Document[] {
  let count = 0;
  for (let pos = start; pos < end; count++) pos += documentSize(buf, pos, end);
  const docs: Document[] = new Array(count);
  decoded(() => deserializeStream(buf, start, count, docs, 0, {}));
  return docs;
}

/** Parses one complete frame (header included). Throws WireFormatError for malformed content. */
export function parseRequest(frame: Buffer): ParsedRequest {
  const header = readHeader(frame);
  const end = frame.length;
  if (header.opCode === OP_MSG) {
    const flags = frame.readUInt32LE(16);
    // Bits 0-15 are "required": an unknown one must make the server fail the request.
    if ((flags & 0xfffc) !== 0)
      throw new WireFormatError(`unsupported OP_MSG flags ${flags}`, 9, "FailedToParse");
    const sectionsEnd = flags & FLAG_CHECKSUM_PRESENT ? end - 4 : end;
    let pos = 20;
    let body: Document | undefined;
    const sequences: [string, Document[]][] = [];
    while (pos < sectionsEnd) {
      const kind = frame[pos];
      pos += 1;
      if (kind === 0) {
        if (body) throw new WireFormatError("OP_MSG with more than one body section", 9, "FailedToParse");
        [body, pos] = readDocument(frame, pos, sectionsEnd);
      } else if (kind === 1) {
        if (pos + 4 > sectionsEnd)
          throw new WireFormatError("truncated document sequence", 9, "FailedToParse");
        const size = frame.readInt32LE(pos);
        const seqEnd = pos + size;
        if (size < 5 || seqEnd > sectionsEnd) {
          throw new WireFormatError("document sequence exceeds the message", 9, "FailedToParse");
        }
        let identifier: string;
        [identifier, pos] = readCString(frame, pos + 4, seqEnd);
        sequences.push([identifier, readDocumentSequence(frame, pos, seqEnd)]);
        pos = seqEnd;
      } else {
        throw new WireFormatError(`unknown OP_MSG section kind ${kind}`, 9, "FailedToParse");
      }
    }
    if (!body) throw new WireFormatError("OP_MSG without a body section", 9, "FailedToParse");
    for (const [identifier, docs] of sequences) {
      if (identifier in body) {
        throw new WireFormatError(`duplicate field '${identifier}' in body and sequence`, 9, "FailedToParse");
      }
      body[identifier] = docs;
    }
    return { header, command: body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0, legacy: false };
  }
  if (header.opCode === OP_QUERY) {
    const [ns, afterNs] = readCString(frame, 20, end);
    // Skip numberToSkip and numberToReturn.
    const [query] = readDocument(frame, afterNs + 8, end);
    const dot = ns.indexOf(".");
    const db = dot < 0 ? ns : ns.slice(0, dot);
    if (ns.slice(dot + 1) !== "$cmd") {
      throw new WireFormatError(
        "legacy OP_QUERY is only supported for commands",
        352,
        "UnsupportedOpQueryCommand",
      );
    }
    // Drivers may wrap the command as {$query: {...}, $readPreference: ...}.
    const command: Document =
      "$query" in query && typeof query.$query === "object" ? { ...query.$query } : query;
    command.$db = db;
    return { header, command, moreToCome: false, legacy: true };
  }
  throw new WireFormatError(`unsupported opCode ${header.opCode}`, 352, "UnsupportedOpQueryCommand");
}

function writeHeader(
  buf: Buffer,
  length: number,
  requestId: number,
  responseTo: number,
  opCode: number,
): void {
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
}

/** Encodes an OP_MSG reply with one body section. */
export function encodeMsgReply(requestId: number, responseTo: number, doc: Document): Buffer {
  const body = serialize(doc, { ignoreUndefined: true });
  const out = Buffer.allocUnsafe(21 + body.length);
  writeHeader(out, out.length, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, 16);
  out[20] = 0;
  out.set(body, 21);
  return out;
}

/** Encodes a legacy OP_REPLY carrying one document (the answer to an OP_QUERY command). */
export function encodeLegacyReply(requestId: number, responseTo: number, doc: Document): Buffer {
  const body = serialize(doc, { ignoreUndefined: true });
  const out = Buffer.allocUnsafe(36 + body.length);
  writeHeader(out, out.length, requestId, responseTo, OP_REPLY);
  out.writeInt32LE(0, 16); // responseFlags
  const zero = Long.ZERO;
  out.writeInt32LE(zero.low, 20);
  out.writeInt32LE(zero.high, 24);
  out.writeInt32LE(0, 28); // startingFrom
  out.writeInt32LE(1, 32); // numberReturned
  out.set(body, 36);
  return out;
}
