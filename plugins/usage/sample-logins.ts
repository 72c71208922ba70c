import { addDays, type CalendarDay, dayBounds, isValidDay, todayIn } from "./calendar-day.js";
import { LOGIN_MESSAGE } from "./condense-day.js";

/** Options of {@link generateSampleLogins}. */
export interface SampleLoginOptions {
  /** Number of distinct users (`user001`, `user002`, ...). */
  users: number;
  /** Number of calendar days, ending with `end`. */
  days: number;
  /** Last day (YYYY-MM-DD or a Date, read in UTC); default today (UTC). */
  end?: CalendarDay | Date;
  /** Random numbers in [0, 1); default a seeded generator, so the same options give the same data. */
  rng?: () => number;
}

/** A sys.log-shaped successful-login record (docs/contracts.md "Successful login event"). */
export interface SampleLoginRecord {
  created: Date;
  level: "INFO";
  levelno: 20;
  message: typeof LOGIN_MESSAGE;
  name: string;
  hostname: string;
  pid: number;
  identifier: null;
  qual_name: null;
  user: string;
}

/** A small seeded PRNG (mulberry32): reproducible sample data without a dependency. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Share of a weekday's activity on each day, Sunday first: a working week with quiet weekends.
const WEEKDAY_FACTOR = [0.12, 1, 1, 0.95, 0.95, 0.8, 0.18];

/**
 * Successful-login records shaped like sys.log for `users` users over `days` days ending with `end`:
 * each user has their own habit (daily to occasional), weekends are quiet, usage grows slowly over the
 * period, and a day has one to three logins per active user during working hours (UTC).
 */
export function generateSampleLogins(options: SampleLoginOptions): SampleLoginRecord[] {
  const rng = options.rng ?? seededRandom(42);
  const end =
    options.end instanceof Date ? options.end.toISOString().slice(0, 10) : (options.end ?? todayIn("UTC"));
  if (!isValidDay(end)) throw new RangeError(`generateSampleLogins: end "${end}" is not a date YYYY-MM-DD`);
  const width = Math.max(3, String(options.users).length);
  const users = Array.from({ length: options.users }, (_, i) => ({
    name: `user${String(i + 1).padStart(width, "0")}`,
    // A few daily users, many occasional ones.
    habit: 0.08 + 0.85 * rng() ** 2,
    // Users join over time: some only in the later part of the period.
    joins: rng() < 0.7 ? 0 : Math.floor(rng() * options.days * 0.8),
  }));
  const records: SampleLoginRecord[] = [];
  for (let offset = 0; offset < options.days; offset++) {
    const day = addDays(end, offset - options.days + 1);
    const { from } = dayBounds(day, "UTC");
    const weekday = WEEKDAY_FACTOR[from.getUTCDay()] as number;
    const trend = 0.75 + 0.25 * (offset / Math.max(1, options.days - 1));
    for (const user of users) {
      if (offset < user.joins || rng() >= user.habit * weekday * trend) continue;
      const count = 1 + Math.floor(rng() * rng() * 3);
      for (let n = 0; n < count; n++) {
        const seconds = Math.floor((7 + rng() * 11) * 3600);
        records.push({
          created: new Date(from.getTime() + seconds * 1000),
          level: "INFO",
          levelno: 20,
          message: LOGIN_MESSAGE,
          name: "core4ts.server.login",
          hostname: "demo",
          pid: 0,
          identifier: null,
          qual_name: null,
          user: user.name,
        });
      }
    }
  }
  return records.sort((a, b) => a.created.getTime() - b.created.getTime());
}
