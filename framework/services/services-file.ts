import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServicesFile } from "./types.js";

/** Path of the services file of a home. */
export function servicesFilePath(home: string): string {
  return join(home, "services.json");
}

/**
 * Reads `$home/services.json`; undefined when it is missing or unreadable (a half-written or hand-edited file
 * is treated like a missing one: the services are then checked and started again).
 */
export function readServicesFile(home: string): ServicesFile | undefined {
  let text: string;
  try {
    text = readFileSync(servicesFilePath(home), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as ServicesFile)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the services file atomically (a reader never sees half of it); removes it when nothing is recorded. */
export function writeServicesFile(home: string, file: ServicesFile): void {
  const path = servicesFilePath(home);
  if (file.mongodb === undefined && file.redis === undefined) {
    rmSync(path, { force: true });
    return;
  }
  const ordered: ServicesFile = {
    mongodb: file.mongodb,
    redis: file.redis,
    processes: file.processes,
    ...(file.users?.length ? { users: file.users } : {}),
  };
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o600 });
  // It holds passwords: 0600 even under a permissive umask or over a leftover file.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
