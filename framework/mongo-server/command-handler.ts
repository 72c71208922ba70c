import type { ScramAuthenticator } from "./auth/scram-authenticator.js";
import type { Doc } from "./bson-values.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import { adminCommands } from "./commands/admin.js";
import { aggregateCommands } from "./commands/aggregate.js";
import { authCommands, PRE_AUTH_COMMANDS } from "./commands/auth.js";
import { bulkWriteCommands } from "./commands/bulk-write.js";
import { catalogCommands } from "./commands/catalog.js";
import { type CommandContext, type CommandDef, str } from "./commands/command-kit.js";
import { CommandServices } from "./commands/command-services.js";
import { handshakeCommands } from "./commands/handshake.js";
import { indexCommands } from "./commands/indexes.js";
import { readCommands } from "./commands/reads.js";
import { writeCommands } from "./commands/writes.js";
import type { CursorRegistry } from "./cursor-registry.js";
import type { StorageEngine } from "./storage-engine.js";

export type { CommandContext } from "./commands/command-kit.js";

/** Fields every command may carry (session, read/write concern, API version...); they change nothing here. */
const GENERIC_FIELDS = new Set([
  "$db",
  "lsid",
  "$clusterTime",
  "$readPreference",
  "readConcern",
  "writeConcern",
  "comment",
  "maxTimeMS",
  "apiVersion",
  "apiStrict",
  "apiDeprecationErrors",
  "txnNumber",
  "autocommit",
  "startTransaction",
  "$audit",
  "$client",
  "bypassDocumentValidation",
]);

/**
 * Dispatches commands to their family's handler (framework/mongo-server/commands/<family>.ts) after the
 * checks every command shares; one instance serves every connection.
 */
export class CommandHandler {
  private readonly commands = new Map<string, CommandDef>();
  private readonly services: CommandServices;

  /**
   * @param storage the databases.
   * @param cursors open cursors, shared by all connections.
   * @param durable resolves when every change applied so far is on disk (immediately when in memory).
   * @param authenticator when given, every command but the handshake and SCRAM ones needs a logged-in
   *   connection (code 13 Unauthorized otherwise).
   */
  constructor(
    storage: StorageEngine,
    cursors: CursorRegistry,
    private readonly durable: () => Promise<void>,
    private readonly authenticator?: ScramAuthenticator,
  ) {
    const services = new CommandServices(storage, cursors);
    this.services = services;
    for (const table of [
      handshakeCommands(services, authenticator),
      authCommands(authenticator),
      adminCommands(services),
      catalogCommands(services),
      readCommands(services),
      writeCommands(services),
      bulkWriteCommands(services),
      indexCommands(services),
      aggregateCommands(services),
    ]) {
      for (const [name, def] of Object.entries(table)) this.commands.set(name, def);
    }
  }

  /** Runs one command and returns its reply document (errors become `ok: 0` replies). */
  async handle(cmd: Doc, ctx: CommandContext): Promise<Doc> {
    try {
      const name = Object.keys(cmd)[0];
      if (name === undefined) throw new CommandError(ErrorCodes.FailedToParse, "empty command document");
      const def = this.commands.get(name);
      if (this.authenticator && !ctx.auth.user && !PRE_AUTH_COMMANDS.has(name)) {
        throw new CommandError(ErrorCodes.Unauthorized, `Command ${name} requires authentication`);
      }
      if (!def) throw new CommandError(ErrorCodes.CommandNotFound, `no such command: '${name}'`);
      if (cmd.startTransaction === true || cmd.autocommit === false) {
        throw new CommandError(
          ErrorCodes.IllegalOperation,
          "Transaction numbers are only allowed on a replica set member or mongos",
        );
      }
      if (def.fields) {
        for (const field of Object.keys(cmd)) {
          if (field === name || GENERIC_FIELDS.has(field) || def.fields.includes(field)) continue;
          throw new CommandError(
            ErrorCodes.UnknownField,
            `BSON field '${name}.${field}' is an unknown field.`,
          );
        }
      }
      const db = str(cmd.$db, "$db");
      this.services.sessions.touch(cmd.lsid, ctx.auth.user);
      this.services.bypassValidation = cmd.bypassDocumentValidation === true;
      let pending: Doc | Promise<Doc>;
      try {
        pending = def.run(cmd, db, ctx);
      } finally {
        this.services.bypassValidation = false;
      }
      const reply = await pending;
      if (def.writes) await this.durable();
      return { ...reply, ok: 1 };
    } catch (error) {
      if (error instanceof CommandError) return error.toReply();
      const message = error instanceof Error ? error.message : String(error);
      return { ok: 0, errmsg: message, code: 1, codeName: "InternalError" };
    }
  }
}
