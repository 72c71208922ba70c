import { hostname } from "node:os";
import type { Collection, Document } from "mongodb";

/** Logger name of login events in sys.log. */
export const LOGIN_LOGGER_NAME = "core4.server.login";

/**
 * Writes the login events the usage report counts, straight to `sys.log` with an acknowledged insert:
 * exactly one record per login attempt at the login endpoint, never dropped by a log buffer. A login whose
 * event cannot be written is refused by the caller, so counts and logins never disagree.
 */
export class LoginEventWriter {
  private readonly host = hostname();

  /** @param collection The `sys.log` collection (`runtime.mongo.sys("log")`). */
  constructor(private readonly collection: Collection<Document>) {}

  /** `{message: "successful login", level: "INFO", user}`. */
  async success(user: string, requestId: string, address: string): Promise<void> {
    await this.write("successful login", "INFO", 20, user, requestId, address);
  }

  /** `{message: "failed login", level: "WARNING", user: <the name given>}`. */
  async failure(givenName: string, requestId: string, address: string): Promise<void> {
    await this.write("failed login", "WARNING", 30, givenName, requestId, address);
  }

  private async write(
    message: string,
    level: string,
    levelno: number,
    user: string,
    identifier: string,
    address: string,
  ): Promise<void> {
    await this.collection.insertOne({
      created: new Date(),
      level,
      levelno,
      message,
      name: LOGIN_LOGGER_NAME,
      hostname: this.host,
      pid: process.pid,
      identifier,
      qual_name: null,
      user,
      remote_addr: address,
    });
  }
}
