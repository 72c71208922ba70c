/** The connection handshake and the commands drivers send around it: hello, ping, buildInfo, sessions. */
import type { ScramAuthenticator } from "../auth/scram-authenticator.js";
import { type Doc, isPlainObject } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from "../wire-protocol.js";
import type { CommandContext, CommandDef, CommandTable } from "./command-kit.js";
import type { CommandServices } from "./command-services.js";

/** The wire version range advertised: MongoDB 8.0's command set (client-level bulkWrite, sort in updates). */
const MAX_WIRE_VERSION = 25;
/** The MongoDB version this server behaves as. */
export const SERVER_VERSION = "8.0.0";
const VERSION_ARRAY = [8, 0, 0, 0];

/**
 * What `hello` adds for authentication: `saslSupportedMechs` for a known user, and the first SCRAM step
 * when the driver sends it along (`speculativeAuthenticate`); a speculative attempt that cannot start
 * (another mechanism) is left out of the reply, so the driver then authenticates the ordinary way.
 */
function authFields(cmd: Doc, ctx: CommandContext, authenticator: ScramAuthenticator | undefined): Doc {
  if (!authenticator) return {};
  const out: Doc = {};
  const mechs = authenticator.supportedMechanisms(cmd.saslSupportedMechs);
  if (mechs) out.saslSupportedMechs = mechs;
  const speculative = cmd.speculativeAuthenticate;
  if (
    isPlainObject(speculative) &&
    speculative.saslStart !== undefined &&
    typeof speculative.db === "string"
  ) {
    try {
      out.speculativeAuthenticate = authenticator.start(ctx.auth, speculative, speculative.db);
    } catch {
      // Not answered: the driver falls back to saslStart and gets the error there.
    }
  }
  return out;
}

function hello(cmd: Doc, ctx: CommandContext, authenticator: ScramAuthenticator | undefined): Doc {
  if (cmd.loadBalanced === true) {
    throw new CommandError(
      ErrorCodes.IllegalOperation,
      "the embedded server does not support load-balanced mode",
    );
  }
  const name = Object.keys(cmd)[0];
  return {
    helloOk: true,
    ...(name === "hello" ? { isWritablePrimary: true } : { ismaster: true }),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ...authFields(cmd, ctx, authenticator),
  };
}

function buildInfo(): Doc {
  return {
    version: SERVER_VERSION,
    gitVersion: "core4ts-embedded",
    versionArray: VERSION_ARRAY,
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ["embedded"],
    modules: [],
  };
}

/** hello/isMaster, ping, buildInfo, whatsmyuri, getParameter and the session commands (no-ops). */
export function handshakeCommands(
  s: CommandServices,
  authenticator: ScramAuthenticator | undefined,
): CommandTable {
  const helloDef: CommandDef = { run: (cmd, _db, ctx) => hello(cmd, ctx, authenticator) };
  const buildInfoDef: CommandDef = { run: () => buildInfo() };
  const table: CommandTable = {
    hello: helloDef,
    isMaster: helloDef,
    ismaster: helloDef,
    ping: { run: () => ({}) },
    buildInfo: buildInfoDef,
    buildinfo: buildInfoDef,
    whatsmyuri: { run: () => ({ you: "127.0.0.1" }) },
    getParameter: { run: () => ({}) },
  };
  table.endSessions = {
    run: (cmd) => {
      s.sessions.end(cmd.endSessions);
      return {};
    },
  };
  for (const name of ["killSessions", "killAllSessions", "refreshSessions", "killAllSessionsByPattern"]) {
    table[name] = { run: () => ({}) };
  }
  return table;
}
