import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig, type Plugin } from "core4ts";
import usage from "core4ts/plugins/usage";
import { CliError } from "./cli-error.js";

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
 */
export async function loadPlugins(env: NodeJS.ProcessEnv = process.env): Promise<Plugin[]> {
  const config = loadConfig({ env, allowUnknownSections: true });
  const plugins = [...BUILTIN_PLUGINS];
  for (const specifier of config.core.plugins) {
    const target =
      specifier.startsWith(".") || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
    let module: { default?: unknown };
    try {
      module = (await import(target)) as { default?: unknown };
    } catch (error) {
      throw new CliError(
        `cannot load plugin module "${specifier}": ${(error as Error).message.split("\n")[0]}`,
      );
    }
    if (!isPlugin(module.default)) {
      throw new CliError(`plugin module "${specifier}" must export a definePlugin() result as default`);
    }
    if (plugins.some((p) => p.name === (module.default as Plugin).name)) {
      throw new CliError(`plugin "${(module.default as Plugin).name}" is registered twice`);
    }
    plugins.push(module.default);
  }
  return plugins;
}
