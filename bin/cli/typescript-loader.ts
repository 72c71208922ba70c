import { CliError } from "./cli-error.js";

const TYPESCRIPT = /\.(?:c|m)?tsx?$/;

let registered: Promise<void> | undefined;

/** Whether a module specifier or resolved URL names a TypeScript file. */
export function isTypeScript(specifier: string): boolean {
  return TYPESCRIPT.test(specifier.split(/[?#]/)[0] ?? specifier);
}

/**
 * Lets Node load TypeScript plugin modules through tsx, loaded only now: tsx (and its esbuild) is an
 * optional peer dependency, needed by projects whose config lists `.ts` plugins, not by built ones.
 */
export function enableTypeScript(specifier: string): Promise<void> {
  registered ??= (async () => {
    let api: { register: () => unknown };
    try {
      api = (await import("tsx/esm/api")) as { register: () => unknown };
    } catch {
      registered = undefined;
      throw new CliError(
        `plugin module "${specifier}" is TypeScript: install tsx beside core4ts (npm install --save-dev tsx), or build the plugin to JavaScript and list the .js file`,
        "config",
      );
    }
    api.register();
  })();
  return registered;
}
