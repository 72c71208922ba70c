import type { ServerRuntime } from "../runtime/types.js";
import { RoleStore } from "./role-store.js";
import type { RoleInfo } from "./types.js";

/**
 * Creates or updates role `admin` (all permissions) from config `server.adminPassword`
 * (CORE4_ADMIN_PASSWORD). Does nothing when it is unset. Resolves to the role when it was written.
 */
export async function ensureAdmin(runtime: ServerRuntime): Promise<RoleInfo | undefined> {
  const password = runtime.config.core.server.adminPassword;
  if (!password) return undefined;
  const role = await new RoleStore(runtime.mongo.sys("role")).upsert({
    name: "admin",
    password,
    perm: ["*"],
    is_active: true,
  });
  runtime.logger.info('role "admin" ensured from server.adminPassword');
  return role;
}
