import { Core4Error, type Core4ErrorCode } from "../errors/core4-error.js";

/** Raised when configuration cannot be read or does not match its schema. The message names key and source. */
export class ConfigError extends Core4Error {
  override readonly name = "ConfigError";
  readonly code = "CONFIG_INVALID" satisfies Core4ErrorCode;
}
