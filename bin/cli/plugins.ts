import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Config, loadConfig, type Plugin } from "core4ts";
import usage from "core4ts/plugins/usage";
import { CliError } from "./cli-error.js";
import { enableTypeScript, isTypeScript } from "./typescript-loader.js";

/** Plugins every core4ts process registers. */
export const BUILTIN_PLUGINS: readonly Plugin[] = [usage as Plugin];

function isPlugin(value: unknown): value is Plugin {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { name?: unknown }).name === "string" &&
    Array.isArray((value as { jobs?: unknown }).jobs)
  );
}

/**
 * The builtin plugins plus the modules listed in config `plugins` (read in a first, lenient pass, since the
 * plugins' own sections are only known once they are loaded). A module's default export is the plugin.
 * Paths (`./plugin.ts`, `/opt/x/index.js`) resolve against the working directory.
 */
export async function loadPlugins(env: NodeJS.ProcessEnv = process.env): Promise<Plugin[]> {
  const config = loadConfig({ env, allowUnknownSections: true });
  const plugins = [...BUILTIN_PLUGINS];
  for (const specifier of config.core.plugins) {
    const target =
      specifier.startsWith(".") || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
    let module: { default?: unknown };
    try {
      if (isTypeScript(target)) await enableTypeScript(specifier);
      module = await importPlugin(target, specifier);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(
        `cannot load plugin module "${specifier}": ${(error as Error).message.split("\n")[0]}`,
        "config",
      );
    }
    if (!isPlugin(module.default)) {
      throw new CliError(
        `plugin module "${specifier}" must export a definePlugin() result as default`,
        "config",
      );
    }
    if (plugins.some((p) => p.name === (module.default as Plugin).name)) {
      throw new CliError(`plugin "${(module.default as Plugin).name}" is registered twice`, "config");
    }
    plugins.push(module.default);
  }
  return plugins;
}

/** Imports a plugin module; a package whose entry turns out to be TypeScript gets the loader and a retry. */
async function importPlugin(target: string, specifier: string): Promise<{ default?: unknown }> {
  try {
    return (await import(target)) as { default?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    await enableTypeScript(specifier);
    return (await import(target)) as { default?: unknown };
  }
}

/**
 * The whole configuration validated as every command sees it (plugin sections and `jobs.<name>` included),
 * for commands that start no runtime (`coco services`): a broken file stops them too.
 */
export async function loadCheckedConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const plugins = await loadPlugins(env);
  const sections = Object.fromEntries(
    plugins.flatMap((p) => (p.config === undefined ? [] : [[p.name, p.config] as const])),
  );
  const jobNames = plugins.flatMap((p) =>
    p.jobs.map((j) => (j as { jobName?: unknown }).jobName).filter((n): n is string => typeof n === "string"),
  );
  return loadConfig({ env, sections, jobNames });
}
