import type { Runtime } from "core4ts";
import { RoleStore } from "core4ts/server";
import { CliError } from "../cli/cli-error.js";
import { print, printJson } from "../cli/output.js";
import { runWithRuntime } from "../cli/run-with-runtime.js";

function roles(runtime: Runtime): RoleStore {
  return new RoleStore(runtime.mongo.sys("role"));
}

/** `coco role add <name> --password P [--email E] [--perm P ...]`. */
export async function roleAddCommand(
  name: string,
  options: { password?: string; email?: string; perm?: string[]; json?: boolean },
): Promise<void> {
  const password = options.password ?? process.env.CORE4_ROLE_PASSWORD;
  if (!password) throw new CliError("role add needs --password (or CORE4_ROLE_PASSWORD)");
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
