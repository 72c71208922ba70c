import type { Runtime } from "core4ts";
import { RoleStore } from "core4ts/server";
import { CliError } from "../cli/cli-error.js";
import { print, printJson } from "../cli/output.js";
import { promptNewPassword } from "../cli/password-prompt.js";
import { runWithRuntime } from "../cli/run-with-runtime.js";

function roles(runtime: Runtime): RoleStore {
  return new RoleStore(runtime.mongo.sys("role"));
}

/**
 * The new role's password: CORE4_ROLE_PASSWORD, else a prompt on a terminal. `--password` still works
 * but every local user sees it in the process list, so it earns a warning.
 */
async function newPassword(name: string, given: string | undefined): Promise<string> {
  if (given) {
    process.stderr.write(
      "coco: warning: --password is visible to every local user (ps): use CORE4_ROLE_PASSWORD or the prompt\n",
    );
    return given;
  }
  const fromEnv = process.env.CORE4_ROLE_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) {
    try {
      return await promptNewPassword(`Password for role ${name}`);
    } catch (error) {
      throw new CliError(`role add: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new CliError(
    "role add needs a password: set CORE4_ROLE_PASSWORD (or run it on a terminal to be asked)",
  );
}

/** `coco role add <name> [--email E] [--perm P ...]`, the password from CORE4_ROLE_PASSWORD or a prompt. */
export async function roleAddCommand(
  name: string,
  options: { password?: string; email?: string; perm?: string[]; json?: boolean },
): Promise<void> {
  const password = await newPassword(name, options.password);
  await runWithRuntime({ name: "coco", needRedis: false }, async (runtime) => {
    const store = roles(runtime);
    await store.ensureIndexes();
    const role = await store.add({ name, password, email: options.email ?? null, perm: options.perm ?? [] });
    if (options.json) printJson(role);
    else print(`role ${role.name} added`);
  });
}

/** `coco role list`. */
export async function roleListCommand(options: { json?: boolean }): Promise<void> {
  await runWithRuntime({ name: "coco", needRedis: false }, async (runtime) => {
    const list = await roles(runtime).list();
    if (options.json) {
      printJson(list);
      return;
    }
    if (list.length === 0) print("no roles");
    for (const role of list) {
      const state = role.is_active ? "active" : "inactive";
      const login = role.last_login ? role.last_login.toISOString() : "never";
      print(`${role.name}\t${state}\tlast login ${login}\t${role.perm.join(",") || "-"}`);
    }
  });
}

/** `coco role remove <name>`. */
export async function roleRemoveCommand(name: string): Promise<void> {
  await runWithRuntime({ name: "coco", needRedis: false }, async (runtime) => {
    if (!(await roles(runtime).remove(name))) throw new CliError(`role "${name}" does not exist`);
    print(`role ${name} removed`);
  });
}
