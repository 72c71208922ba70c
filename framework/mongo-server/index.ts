/** Embedded MongoDB-wire-compatible server for development and tests (never for production). */

export type { EmbeddedMongoAuth } from "./auth/scram-credentials.js";
export { type EmbeddedMongoOptions, EmbeddedMongoServer } from "./embedded-mongo-server.js";
