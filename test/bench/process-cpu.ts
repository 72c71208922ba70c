import { readFileSync } from "node:fs";

/** Kernel clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of another process in microseconds, or undefined where /proc cannot tell. */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces: utime is the 12th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU time of this process and of the services it started, read together. */
export interface CpuSnapshot {
  self: number;
  services: Record<string, number | undefined>;
}

/** Reads this process's CPU time and that of each named service process. */
export function cpuSnapshot(services: Record<string, number | undefined>): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    self: usage.user + usage.system,
    services: Object.fromEntries(
      Object.entries(services).map(([name, pid]) => [name, processCpuMicros(pid)]),
    ),
  };
}

/** CPU microseconds per unit of work between two snapshots, by process ("bench" is this one). */
export function cpuPerUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  const out: Record<string, number> = { bench: (after.self - before.self) / units };
  for (const [name, value] of Object.entries(after.services)) {
    const start = before.services[name];
    if (value !== undefined && start !== undefined) out[name] = (value - start) / units;
  }
  return out;
}
