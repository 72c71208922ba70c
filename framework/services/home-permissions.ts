import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Creates `CORE4_HOME` mode 0700 and makes every folder in it 0700 and every file 0600 (docs/contracts.md
 * "Embedded services"): the data, the AOF, services.json with its passwords and the dev secret are for the
 * user who runs coco only. Files left by an older version with wider modes are narrowed. Symbolic links are
 * left alone.
 */
export function lockDownHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  narrow(home, 0);
}

function narrow(path: string, depth: number): void {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return; // removed meanwhile
  }
  if (stat.isSymbolicLink()) return;
  const wanted = stat.isDirectory() ? 0o700 : 0o600;
  if ((stat.mode & 0o777) !== wanted) {
    try {
      chmodSync(path, wanted);
    } catch {
      // not ours to change (another user's file): leave it
    }
  }
  if (!stat.isDirectory() || depth > 4) return;
  for (const name of readdirSync(path)) narrow(join(path, name), depth + 1);
}
