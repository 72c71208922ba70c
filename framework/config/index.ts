export { Config, type ConfigSource } from "./config.js";
export { type CoreConfig, coreConfigSchema, type JobOverride, jobOverrideSchema } from "./core-schema.js";
export { ConfigError } from "./errors.js";
export {
  type ConfigSectionSchema,
  configFileOf,
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  loadConfig,
} from "./load-config.js";
