import type { Socket } from "node:net";
import type { CommandHandler } from "./command-handler.js";
import { type CommandContext, newCommandContext } from "./commands/command-kit.js";
import {
  encodeLegacyReply,
  encodeMsgReply,
  MAX_MESSAGE_SIZE_BYTES,
  OP_QUERY,
  parseRequest,
  readHeader,
  WireFormatError,
} from "./wire-protocol.js";

const HEADER_SIZE = 16;
let nextResponseId = 1;

/**
 * One client connection: reassembles frames from TCP chunks (a frame may span reads, a read may hold
 * several frames), runs their commands strictly in order and writes the replies.
 */
export class WireConnection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Kept across this connection's commands: who logged in, the SCRAM exchange in progress. */
  private readonly context: CommandContext;

  /**
   * @param socket the accepted TCP socket.
   * @param id the connection id reported by `hello`.
   * @param handler executes commands.
   */
  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly handler: CommandHandler,
  ) {
    this.context = newCommandContext(id);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => {
      this.closed = true;
    });
  }

  /** Closes the connection. */
  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private peek(bytes: number): Buffer {
    if (this.chunks[0].length < bytes) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(bytes: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const length = this.peek(4).readInt32LE(0);
      if (length < HEADER_SIZE + 1) {
        // No valid frame is this short: the stream cannot be resynchronised.
        this.close();
        return;
      }
      if (length > MAX_MESSAGE_SIZE_BYTES) {
        if (this.buffered < HEADER_SIZE) return;
        const header = readHeader(this.peek(HEADER_SIZE));
        this.rejectAndClose(
          header.requestId,
          header.opCode,
          new WireFormatError(
            `message of ${length} bytes exceeds maxMessageSizeBytes (${MAX_MESSAGE_SIZE_BYTES})`,
            10334,
            "BSONObjectTooLarge",
          ),
        );
        return;
      }
      if (this.buffered < length) return;
      const frame = this.take(length);
      // A failure here is a bug or a dead socket: drop this connection, never the server.
      this.queue = this.queue.then(() => this.process(frame)).catch(() => this.close());
    }
  }

  private send(requestId: number, opCode: number, reply: Record<string, unknown>): void {
    if (this.closed) return;
    const encode = opCode === OP_QUERY ? encodeLegacyReply : encodeMsgReply;
    this.socket.write(encode(nextResponseId++, requestId, reply));
  }

  private rejectAndClose(requestId: number, opCode: number, error: WireFormatError): void {
    this.queue = this.queue.then(() => {
      this.send(requestId, opCode, {
        ok: 0,
        errmsg: error.message,
        code: error.code,
        codeName: error.codeName,
      });
      this.closed = true;
      this.socket.end();
    });
  }

  private async process(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const header = readHeader(frame);
    let request: ReturnType<typeof parseRequest>;
    try {
      request = parseRequest(frame);
    } catch (error) {
      const e =
        error instanceof WireFormatError ? error : new WireFormatError(String(error), 9, "FailedToParse");
      // The frame boundary is intact, so the connection can go on after the error reply.
      this.send(header.requestId, header.opCode, {
        ok: 0,
        errmsg: e.message,
        code: e.code,
        codeName: e.codeName,
      });
      return;
    }
    const reply = await this.handler.handle(request.command, this.context);
    if (request.moreToCome) return;
    try {
      this.send(header.requestId, header.opCode, reply);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.send(header.requestId, header.opCode, {
        ok: 0,
        errmsg: `reply could not be encoded: ${message}`,
        code: 10334,
        codeName: "BSONObjectTooLarge",
      });
    }
  }
}
