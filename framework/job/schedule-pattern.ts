import { CronExpressionParser } from "cron-parser";

/** Why a cron pattern cannot be read (undefined when it can): cron-parser's reading, the one BullMQ uses. */
export function cronProblem(pattern: string): string | undefined {
  const fields = pattern.trim().split(/\s+/).length;
  if (!pattern.trim().startsWith("@") && (fields < 5 || fields > 6)) {
    return `expected 5 fields, or 6 with seconds first, got ${fields}`;
  }
  try {
    CronExpressionParser.parse(pattern, { tz: "UTC" });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Whether a name is an IANA time zone the runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** The next `count` slots of a pattern after `from` (exclusive), in its time zone. */
export function nextSlots(pattern: string, timezone: string, from: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(pattern, { tz: timezone, currentDate: from });
  return expression.take(count).map((d) => d.toDate());
}

/**
 * The slots of a pattern in (`after`, `until`], oldest first, at most `limit` of them (the most recent
 * ones when there are more).
 */
export function slotsBetween(
  pattern: string,
  timezone: string,
  after: Date,
  until: Date,
  limit: number,
): Date[] {
  if (until.getTime() <= after.getTime() || limit <= 0) return [];
  // Walk back from `until`: a long downtime of a seconds-level pattern must not enumerate every slot.
  const expression = CronExpressionParser.parse(pattern, {
    tz: timezone,
    currentDate: new Date(until.getTime() + 1),
    startDate: after,
  });
  const out: Date[] = [];
  while (out.length < limit) {
    let slot: Date;
    try {
      slot = expression.prev().toDate();
    } catch {
      break; // before startDate
    }
    if (slot.getTime() <= after.getTime()) break;
    out.push(slot);
  }
  return out.reverse();
}
