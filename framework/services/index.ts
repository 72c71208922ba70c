/**
 * Embedded services for development and tests (docs/contracts.md "Embedded services"): the MongoDB-compatible server,
 * redis-server from PATH, and their shared lifecycle per `CORE4_HOME`.
 * @module
 */

export { type EmbeddedMongoOptions, EmbeddedMongoServer } from "../mongo-server/index.js";
export { ensureServices, stopServices } from "./ensure-services.js";
export { HomeLock, type HomeLockOptions } from "./home-lock.js";
export { REDIS_MISSING } from "./launch-service.js";
export { answers, type ProbeResult, pingMongo, pingRedis } from "./probes.js";
export { ServiceError } from "./service-error.js";
export { readServicesFile, servicesFilePath } from "./services-file.js";
export type { RunningServices, ServiceName, ServiceProcess, ServicesFile, ServicesOptions } from "./types.js";
