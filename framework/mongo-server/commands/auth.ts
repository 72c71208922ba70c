/** Authentication: saslStart, saslContinue, connectionStatus (SCRAM-SHA-256, see auth/). */
import type { ScramAuthenticator } from "../auth/scram-authenticator.js";
import { AUTH_DATABASE } from "../auth/scram-credentials.js";
import type { Doc } from "../bson-values.js";
import { CommandError, ErrorCodes } from "../command-error.js";
import type { CommandContext, CommandTable } from "./command-kit.js";

/** Commands a client may run before it has authenticated (as `mongod` allows them). */
export const PRE_AUTH_COMMANDS = new Set([
  "hello",
  "isMaster",
  "ismaster",
  "ping",
  "saslStart",
  "saslContinue",
  "connectionStatus",
]);

function connectionStatus(ctx: CommandContext): Doc {
  const user = ctx.auth.user;
  if (!user) return { authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } };
  const name = user.slice(AUTH_DATABASE.length + 1);
  return {
    authInfo: {
      authenticatedUsers: [{ user: name, db: AUTH_DATABASE }],
      authenticatedUserRoles: [{ role: "root", db: AUTH_DATABASE }],
    },
  };
}

function noAuthentication(): never {
  throw new CommandError(
    ErrorCodes.AuthenticationFailed,
    "Authentication failed: the embedded MongoDB server runs without users (no auth option given)",
  );
}

/** connectionStatus, and saslStart/saslContinue when the server has a user. */
export function authCommands(authenticator: ScramAuthenticator | undefined): CommandTable {
  return {
    connectionStatus: { run: (_c, _db, ctx) => connectionStatus(ctx) },
    saslStart: {
      run: (c, db, ctx) => (authenticator ? authenticator.start(ctx.auth, c, db) : noAuthentication()),
      fields: ["mechanism", "payload", "autoAuthorize", "options"],
    },
    saslContinue: {
      run: (c, _db, ctx) => (authenticator ? authenticator.continue(ctx.auth, c) : noAuthentication()),
      fields: ["conversationId", "payload"],
    },
  };
}
