import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "../cli/cli-error.js";
import { print } from "../cli/output.js";
import { resolveCore4tsSpec } from "../init/core4ts-spec.js";
import { scaffoldFiles } from "../init/scaffold-files.js";

const NAME = /^[a-z][a-z0-9_]*$/;

/** Options of `coco init`. */
export interface InitOptions {
  /** core4ts for the project's dependency: a version, a tarball, a folder or a git URL. */
  from?: string;
}

export { scaffoldFiles } from "../init/scaffold-files.js";

/**
 * `coco init <name> [--from <spec>]`: writes a plugin project into ./<name> that installs and tests as it is
 * (docs/contracts.md "CLI"); its core4ts dependency is the core4ts this command came from. Refuses to
 * overwrite anything.
 */
export async function initCommand(name: string, options: InitOptions = {}): Promise<void> {
  if (!NAME.test(name)) {
    throw new CliError(`project name "${name}" must be a lowercase identifier like "home"`, "bad_argument");
  }
  if (existsSync(name)) throw new CliError(`./${name} exists already; choose another name or remove it`);
  const core4ts = resolveCore4tsSpec(options.from, process.env, process.cwd());
  mkdirSync(name);
  for (const [file, content] of Object.entries(scaffoldFiles(name, core4ts))) {
    mkdirSync(dirname(join(name, file)), { recursive: true });
    writeFileSync(join(name, file), content);
  }
  print(
    [
      `created ./${name} (core4ts ${core4ts})`,
      `  cd ${name} && npm install && npm test`,
      "  npm run dev    # then log in with the dev user it prints",
    ].join("\n"),
  );
}
