/**
 * The one reader of ISO 8601 dates in core4ts: job arguments, HTTP request arguments and the usage report
 * all go through it, so `2026-02-30` is refused everywhere instead of rolling over to March 2 the way
 * `new Date()` does.
 */

/** A strictly valid ISO date or date-time, taken apart. */
export interface IsoDate {
  /** The calendar date as written, `YYYY-MM-DD`. */
  day: string;
  /** Whether a time of day was given. */
  hasTime: boolean;
  /** Whether the time carries a zone (`Z`, `+01:00`, `+0100`, `+01`). */
  hasZone: boolean;
  /**
   * The instant: UTC midnight for a date alone, the exact instant with a zone, and the process's local time
   * for a date-time without one (as `new Date()` reads it).
   */
  instant: Date;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

const EXPECTED = "an ISO date such as 2026-11-27 or a date-time such as 2026-11-27T10:00:00Z";

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Reads `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fraction]]` and a zone. Undefined for anything
 * else, including dates and times that do not exist (February 30, month 13, 24:00, a zone beyond ±23:59).
 */
export function parseIsoDate(text: string): IsoDate | undefined {
  const match = ISO.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const date = Number(d);
  if (month < 1 || month > 12 || date < 1 || date > daysInMonth(year, month)) return undefined;
  const day = `${y}-${mo}-${d}`;
  if (h === undefined) return { day, hasTime: false, hasZone: false, instant: new Date(`${day}T00:00:00Z`) };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  let offset = "";
  if (zone !== undefined) {
    if (zone.toUpperCase() === "Z") offset = "Z";
    else {
      const digits = zone.slice(1).replace(":", "");
      const zh = digits.slice(0, 2);
      const zm = digits.slice(2) || "00";
      if (Number(zh) > 23 || Number(zm) > 59) return undefined;
      offset = `${zone[0]}${zh}:${zm}`;
    }
  }
  const millis = (fraction ?? "").padEnd(3, "0").slice(0, 3);
  const instant = new Date(`${day}T${h}:${mi}:${s ?? "00"}.${millis}${offset}`);
  if (Number.isNaN(instant.getTime())) return undefined;
  return { day, hasTime: true, hasZone: zone !== undefined, instant };
}

/** Why a text is not an ISO date, for messages that name the argument: "no such day" or the expected form. */
export function isoDateProblem(text: string): string {
  const shown = text.trim().slice(0, 40);
  if (ISO.test(text.trim())) return `"${shown}" is not a real date or time`;
  return `expected ${EXPECTED}, got "${shown}"`;
}
