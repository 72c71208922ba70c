import { createServer, type Server, type Socket } from "node:net";
import { ScramAuthenticator } from "./auth/scram-authenticator.js";
import type { EmbeddedMongoAuth } from "./auth/scram-credentials.js";
import { CommandHandler } from "./command-handler.js";
import { CursorRegistry } from "./cursor-registry.js";
import { type CompactionPolicy, Journal } from "./journal.js";
import { StorageEngine } from "./storage-engine.js";
import { WireConnection } from "./wire-connection.js";

const TTL_INTERVAL_MS = 60_000;

/** Options of {@link EmbeddedMongoServer}. */
export interface EmbeddedMongoOptions {
  /** Data folder for the journal; without one, everything stays in memory. */
  dataDir?: string;
  /** TCP port; 0 or undefined picks a free one. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /**
   * The one user clients must log in as (SCRAM-SHA-256, defined in the `admin` database). Without it the
   * server accepts every client without authentication.
   */
  auth?: EmbeddedMongoAuth;
  /** When the journal is compacted while running (default: past 64 MiB and twice its last compacted size). */
  journalCompaction?: CompactionPolicy;
}

/**
 * A MongoDB-wire-compatible server for development and tests, answering the official driver. Not for
 * production: see docs/embedded-mongo.md for the supported surface and the differences from MongoDB.
 */
export class EmbeddedMongoServer {
  private readonly storage = new StorageEngine();
  private readonly cursors = new CursorRegistry();
  private readonly connections = new Set<WireConnection>();
  private server: Server | undefined;
  private journal: Journal | undefined;
  private nextConnectionId = 1;
  private boundPort = 0;
  private ttlTimer: NodeJS.Timeout | undefined;
  private readonly authenticator: ScramAuthenticator | undefined;

  /** @param options data folder, port and host; all optional. */
  constructor(private readonly options: EmbeddedMongoOptions = {}) {
    // Derived once here (PBKDF2): the password itself is not kept.
    this.authenticator = options.auth ? new ScramAuthenticator(options.auth) : undefined;
  }

  /** The port the server listens on (valid after {@link start}). */
  get port(): number {
    return this.boundPort;
  }

  /** Connection string for the official driver, without credentials (valid after {@link start}). */
  get uri(): string {
    return this.connectionString("");
  }

  /**
   * Connection string with the `auth` user's name and password in it (the same as {@link uri} without
   * `auth`). Keep it out of logs.
   */
  get uriWithCredentials(): string {
    const auth = this.options.auth;
    if (!auth) return this.uri;
    return this.connectionString(
      `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`,
    );
  }

  private connectionString(userInfo: string): string {
    const host = this.options.host ?? "127.0.0.1";
    const shown = host.includes(":") ? `[${host}]` : host;
    return `mongodb://${userInfo}${shown}:${this.boundPort}/?directConnection=true`;
  }

  /** Loads the data folder (if any) and starts listening. */
  async start(): Promise<void> {
    if (this.server) throw new Error("embedded MongoDB server already started");
    if (this.options.dataDir)
      this.journal = await Journal.open(this.options.dataDir, this.storage, this.options.journalCompaction);
    const journal = this.journal;
    const handler = new CommandHandler(
      this.storage,
      this.cursors,
      () => journal?.commit() ?? Promise.resolve(),
      this.authenticator,
    );
    const server = createServer((socket: Socket) => {
      const connection = new WireConnection(socket, this.nextConnectionId++, handler);
      this.connections.add(connection);
      socket.on("close", () => this.connections.delete(connection));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === "object" && address ? address.port : 0;
    this.server = server;
    // MongoDB's TTL monitor also runs once a minute.
    this.ttlTimer = setInterval(() => {
      if (this.storage.expire(Date.now()) > 0) void journal?.commit().catch(() => undefined);
    }, TTL_INTERVAL_MS);
    this.ttlTimer.unref();
  }

  /** Closes all connections, stops listening and flushes the journal. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    clearInterval(this.ttlTimer);
    for (const connection of this.connections) connection.close();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.cursors.clear();
    await this.journal?.close();
    this.journal = undefined;
  }
}
