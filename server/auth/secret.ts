import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Shortest signing secret accepted, configured or generated (config `server.secret` has the same limit). */
export const MIN_SECRET_LENGTH = 16;

/** Inputs of {@link resolveSecret}. */
export interface SecretSource {
  /** Configured secret (config `server.secret`, env CORE4_SECRET). */
  secret: string | undefined;
  /** State folder (config `home`) where a development secret is kept. */
  home: string;
  /** Environment, for NODE_ENV. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The token signing secret: the configured one, else one generated once into `<home>/secret` (mode 0600)
 * so tokens survive restarts in development. A secret file shorter than 16 characters (empty, `abc`) is
 * replaced by a new one. Production (NODE_ENV=production) requires a configured secret,
 * since a generated one differs per host and would break tokens behind a load balancer.
 */
export function resolveSecret(source: SecretSource): string {
  if (source.secret !== undefined && source.secret !== "") {
    if (source.secret.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `CORE4_SECRET (config server.secret) must have at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    return source.secret;
  }
  const env = source.env ?? process.env;
  if (env.NODE_ENV === "production") {
    throw new Error(
      "CORE4_SECRET (config server.secret, at least 16 characters) is required when NODE_ENV=production",
    );
  }
  const file = join(source.home, "secret");
  try {
    const existing = readFileSync(file, "utf8").trim();
    if (existing.length >= MIN_SECRET_LENGTH) return existing;
    // Empty or short (`abc`): guessable, so never a signing key. Replace it; tokens signed with it end.
    rmSync(file, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(source.home, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    // "wx": when two processes start at once, the first one's secret wins.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const theirs = readFileSync(file, "utf8").trim();
    if (theirs.length < MIN_SECRET_LENGTH) {
      throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_LENGTH} characters: delete the file`);
    }
    return theirs;
  }
  chmodSync(file, 0o600);
  return secret;
}
