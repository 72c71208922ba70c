import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, sep } from "node:path";
import npa from "npm-package-arg";
import { CliError } from "../cli/cli-error.js";

const PACKAGE = "core4ts";
const require = createRequire(import.meta.url);

/** The version of the running core4ts. */
export function ownVersion(): string {
  return (require("core4ts/package.json") as { version: string }).version;
}

/** The folder of the running core4ts (the checkout, or where npm installed it). */
export function ownFolder(): string {
  return dirname(require.resolve("core4ts/package.json"));
}

/**
 * Turns what the user gave npm or `--from` (`core4ts@0.2.0`, `./core4ts-0.1.0.tgz`, `../core4ts`,
 * `git+https://…`, `github:owner/core4ts`) into the dependency a new project's package.json gets. Paths
 * become absolute `file:` specs, so the project installs wherever it is; relative ones are read against `cwd`.
 */
export function dependencySpec(given: string, cwd: string): string {
  let parsed: npa.Result;
  try {
    // A bare path like "core4ts-0.1.0.tgz" or "core4ts" (a folder) would read as a package name.
    parsed = npa(existsSync(`${cwd}${sep}${given}`) && !given.startsWith(".") ? `./${given}` : given, cwd);
  } catch (error) {
    throw new CliError(
      `--from "${given}" is not a package spec: ${(error as Error).message}`,
      "bad_argument",
    );
  }
  switch (parsed.type) {
    case "file":
    case "directory":
      return `file:${parsed.fetchSpec}`;
    case "git":
    case "remote":
      return parsed.rawSpec || given;
    case "version":
    case "range":
    case "tag":
    case "alias": {
      if (parsed.name !== PACKAGE && parsed.type !== "alias") {
        throw new CliError(`--from "${given}" names package ${parsed.name}, not ${PACKAGE}`, "bad_argument");
      }
      const spec = parsed.rawSpec;
      return spec === "" || spec === "*" || spec === "latest" ? `^${ownVersion()}` : spec;
    }
    default:
      throw new CliError(`--from "${given}" is not a spec npm can install core4ts from`, "bad_argument");
  }
}

/**
 * Where this core4ts came from, for the new project to depend on the same: `--from`, else the spec of
 * `npx --package=<spec> core4ts init` (npm passes it as npm_config_package), else a checkout's folder, else the
 * registry version that is running.
 */
export function resolveCore4tsSpec(from: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (from !== undefined) return dependencySpec(from, cwd);
  const packages = (env.npm_config_package ?? "")
    .split(/\n+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const ours = packages.length === 1 ? packages[0] : packages.find((p) => p.includes(PACKAGE));
  if (ours !== undefined) return dependencySpec(ours, cwd);
  const folder = ownFolder();
  if (!folder.split(sep).includes("node_modules")) return `file:${folder}`;
  return `^${ownVersion()}`;
}
