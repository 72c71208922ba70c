/** The error base every core4ts error extends (docs/errors.md). */
export { Core4Error, type Core4ErrorCode, type Core4ErrorKind } from "./core4-error.js";
