/** Authentication commands. */
import type { CommandTable } from "./command-kit.js";

/** connectionStatus. */
export function authCommands(): CommandTable {
  return {
    connectionStatus: {
      run: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
    },
  };
}
