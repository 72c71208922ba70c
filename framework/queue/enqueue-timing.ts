import { JobArgumentError } from "../job/index.js";
import { parseIsoDate } from "../parse/iso-date.js";

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Reads a delay: a number of seconds, or text like `90`, `30s`, `10m`, `2h`, `1d`, `500ms` (a bare number is
 * seconds). Throws a {@link JobArgumentError} naming `name` for anything else.
 */
export function parseDelay(value: unknown, name = "delay"): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === "string" ? DURATION.exec(value.trim()) : null;
  if (!match) {
    throw new JobArgumentError(
      `${name} must be seconds or a duration like 30s, 10m, 2h, 1d, got ${JSON.stringify(value)}`,
      name,
    );
  }
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] as number);
}

/**
 * Reads a start time: an ISO 8601 date or date-time (`2026-12-01T08:00:00Z`, read by the one ISO reader, so
 * `2026-02-30` is refused rather than rolled over) or a Date; throws naming `name`.
 */
export function parseAt(value: unknown, name = "at"): Date {
  const date =
    value instanceof Date ? value : typeof value === "string" ? parseIsoDate(value)?.instant : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new JobArgumentError(
      `${name} must be an ISO date-time like 2026-12-01T08:00:00Z, got ${JSON.stringify(value)}`,
      name,
    );
  }
  return date;
}
