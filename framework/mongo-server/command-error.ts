import type { Document } from "bson";

/** Server error codes used by the embedded server, with MongoDB's code names. */
export const ErrorCodes = {
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  Unauthorized: 13,
  ProtocolError: 17,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  DocumentValidationFailure: 121,
  OptionNotSupportedOnView: 157,
  CommandNotSupportedOnView: 166,
  ViewDepthLimitExceeded: 165,
  GraphContainsCycle: 167,
  NotImplemented: 238,
  MechanismUnavailable: 334,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  MergeStageNoMatchingDocument: 13113,
  LocationOnlyLastStage: 40601,
  MergeUniqueIndexMissing: 51183,
  UnknownField: 40415,
} as const;

const codeNames = new Map<number, string>(Object.entries(ErrorCodes).map(([name, code]) => [code, name]));
codeNames.set(ErrorCodes.UnknownField, "Location40415");

/** The code name MongoDB reports for a code. */
export function codeName(code: number): string {
  return codeNames.get(code) ?? `Location${code}`;
}

/** A command failure: becomes `{ok: 0, errmsg, code, codeName, ...extra}` on the wire. */
export class CommandError extends Error {
  /**
   * @param code MongoDB error code (see {@link ErrorCodes}).
   * @param message the `errmsg` the client sees.
   * @param extra further fields of the reply (for example `keyPattern`, `keyValue`).
   */
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
    this.name = "CommandError";
  }

  /** The wire reply for this error. */
  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: codeName(this.code), ...this.extra };
  }
}
