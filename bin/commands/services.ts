import { ensureServices, loadConfig, redactUri, stopServices } from "core4ts";
import { loadCheckedConfig } from "../cli/plugins.js";

/**
 * `coco services`: makes sure the embedded services run as background processes that outlive this command,
 * and prints `{"mongodb": "<uri>", "redis": "<url>"}` with the passwords shown as `***` (the full URLs are in
 * `$CORE4_HOME/services.json`, mode 0600). With services already running it only prints them.
 */
export async function servicesCommand(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = await loadCheckedConfig(env);
  const services = await ensureServices({
    home: config.core.home,
    mongodbUri: config.core.mongodb.uri,
    redisUrl: config.core.redis.url,
    needRedis: true,
    detached: true,
  });
  const shown = {
    mongodb: redactUri(services.mongodbUri),
    redis: services.redisUrl === undefined ? undefined : redactUri(services.redisUrl),
  };
  process.stdout.write(`${JSON.stringify(shown)}\n`);
}

/** `coco services stop`: stops the background services of this CORE4_HOME. */
export async function servicesStopCommand(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Lenient: a config broken since the services started must not keep them from stopping.
  const config = loadConfig({ env, allowUnknownSections: true });
  const stopped = await stopServices(config.core.home);
  process.stdout.write(stopped ? "services stopped\n" : "no services were running\n");
}
