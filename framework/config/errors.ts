/** Raised when configuration cannot be read or does not match its schema. The message names key and source. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
