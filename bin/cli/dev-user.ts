import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Runtime } from "core4ts";
import { RoleStore } from "core4ts/server";

/** Login name of the development user `coco dev` creates. */
export const DEV_USER = "dev";

/** The dev user's credentials. */
export interface DevUser {
  name: string;
  password: string;
}

/**
 * The first login of a new project: `coco dev` on the embedded MongoDB creates (or refreshes) role `dev`
 * with every permission and a password generated once into `$CORE4_HOME/dev-password` (mode 0600), so a
 * plugin's own routes can be opened at once. Never done against a real MongoDB or with NODE_ENV=production:
 * there, roles are made with `coco role add` or CORE4_ADMIN_PASSWORD.
 */
export async function ensureDevUser(runtime: Runtime): Promise<DevUser | undefined> {
  if (process.env.NODE_ENV === "production") return undefined;
  if (!runtime.config.core.mongodb.uri.startsWith("embedded")) return undefined;
  const home = runtime.config.core.home;
  const file = join(home, "dev-password");
  let password: string;
  try {
    password = readFileSync(file, "utf8").trim();
  } catch {
    password = "";
  }
  if (password.length < 12) {
    password = randomBytes(12).toString("base64url");
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  const roles = new RoleStore(runtime.mongo.sys("role"));
  await roles.ensureIndexes();
  await roles.upsert({ name: DEV_USER, password, perm: ["*"], is_active: true });
  return { name: DEV_USER, password };
}
