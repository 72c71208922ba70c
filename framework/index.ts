/**
 * core4ts: the framework a plugin author imports (`import { CoreJob, definePlugin } from "core4ts"`).
 * @packageDocumentation
 */
export * from "./config/index.js";
export * from "./embedded/index.js";
export * from "./errors/index.js";
export * from "./job/index.js";
export * from "./log/index.js";
export * from "./mongo/index.js";
export { type IsoDate, isoDateProblem, parseIsoDate } from "./parse/iso-date.js";
export { definePlugin, type Plugin, type PluginDefinition } from "./plugin.js";
export * from "./queue/index.js";
export { Runtime, type RuntimeOptions } from "./runtime.js";
