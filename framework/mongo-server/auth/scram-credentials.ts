import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { saslprep } from "@mongodb-js/saslprep";

/** MongoDB's default `scramSHA256IterationCount`. */
export const SCRAM_SHA256_ITERATIONS = 15_000;

/** The database the embedded server's only user is defined in (as `mongod` keeps users in `admin`). */
export const AUTH_DATABASE = "admin";

/** The user the embedded server accepts: `new EmbeddedMongoServer({auth: {username, password}})`. */
export interface EmbeddedMongoAuth {
  username: string;
  password: string;
}

/**
 * The SCRAM-SHA-256 secrets of one user, as MongoDB stores them (RFC 5802/7677): a salt, an iteration
 * count, StoredKey and ServerKey. The password itself is not kept.
 */
export class ScramCredentials {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;

  /**
   * @param username the user name (compared exactly, as MongoDB does for SCRAM-SHA-256).
   * @param password the password; SASLprep-normalised before hashing, as RFC 7677 and MongoDB require.
   * @param iterations the PBKDF2 iteration count (at least 4096, which drivers require).
   */
  constructor(
    readonly username: string,
    password: string,
    readonly iterations = SCRAM_SHA256_ITERATIONS,
  ) {
    if (username.length === 0) throw new Error("embedded MongoDB auth: the username must not be empty");
    if (password.length === 0) throw new Error("embedded MongoDB auth: the password must not be empty");
    this.salt = randomBytes(28);
    const salted = pbkdf2Sync(saslprep(password), this.salt, iterations, 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    this.storedKey = sha256(clientKey);
    this.serverKey = hmac(salted, "Server Key");
  }
}

/** HMAC-SHA-256. */
export function hmac(key: Buffer, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
}

/** SHA-256. */
export function sha256(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}
