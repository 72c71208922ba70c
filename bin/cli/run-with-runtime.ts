import { Runtime, type RuntimeOptions } from "core4ts";
import { loadPlugins } from "./plugins.js";

/** Starts a runtime with the registered plugins, runs `body`, and always closes the runtime. */
export async function runWithRuntime<T>(
  options: Omit<RuntimeOptions, "plugins">,
  body: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const plugins = await loadPlugins(options.env);
  const runtime = await Runtime.start({ ...options, plugins });
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * Resolves on the first SIGINT or SIGTERM. A second signal while shutting down exits at once, so an operator
 * is never stuck behind a hanging shutdown.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) {
        process.stderr.write(`coco: ${signal} again, exiting without waiting\n`);
        process.exit(130);
      }
      received = true;
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // Under `npx coco serve` a SIGTERM to npx ends the shell between npx and us, not us: a parent that went
    // away is taken as SIGTERM, so the port and the services are released all the same.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch);
        onSignal("SIGTERM");
      }
    }, 500);
    watch.unref();
  });
}
