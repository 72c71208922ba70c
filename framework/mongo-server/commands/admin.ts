/** Server administration and diagnostics: serverStatus, hostInfo, dbStats, fsync, explain. */
import { Long } from "bson";
import type { Doc } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import type { CommandTable } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";
import { SERVER_VERSION } from "./handshake.js";

function serverStatus(s: CommandServices): Doc {
  return {
    host: "127.0.0.1",
    version: SERVER_VERSION,
    process: "core4ts-embedded-mongo",
    pid: Long.fromNumber(process.pid),
    uptime: (Date.now() - s.startedAt) / 1000,
    localTime: new Date(),
  };
}

function dbStats(s: CommandServices, db: string): Doc {
  const colls = s.storage.collections(db);
  return {
    db,
    collections: colls.length,
    views: 0,
    objects: colls.reduce((n, c) => n + c.docs.size, 0),
    indexes: colls.reduce((n, c) => n + 1 + c.indexes.size, 0),
  };
}

/** serverStatus, hostInfo, dbStats, fsync and explain (refused). */
export function adminCommands(s: CommandServices): CommandTable {
  return {
    serverStatus: { run: () => serverStatus(s) },
    hostInfo: { run: () => ({ system: { hostname: "localhost" } }) },
    dbStats: { run: (_c, db) => dbStats(s, db) },
    fsync: { run: () => ({ numFiles: 1 }), writes: true },
    explain: {
      run: () => {
        throw new CommandError(
          ErrorCodes.NotImplemented,
          "explain is not supported by the embedded MongoDB server",
        );
      },
    },
  };
}
