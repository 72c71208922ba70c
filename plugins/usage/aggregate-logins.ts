import { CoreJob, parseIsoDate } from "core4ts";
import { z } from "zod";
import { type CalendarDay, daysBetween, dayToDate, eachDay, todayIn } from "./calendar-day.js";
import { condenseDay } from "./condense-day.js";
import { excludedUsers } from "./config.js";
import { FirstSeenTracker, rebuildFirstSeen } from "./first-seen.js";
import { ensureSourceIndexes, ensureTargetIndexes } from "./indexes.js";
import { AGGREGATE_LOGINS } from "./job-name.js";
import { parseDayArgument } from "./report-args.js";
import {
  ensureRollupIndexes,
  type FirstSeenDoc,
  type PeriodCountDoc,
  type PeriodUserDoc,
  type Rollups,
  readRollupMetaDoc,
  refreshStoredMonths,
  rollupAfterDay,
  rollupRefs,
  writeDayCount,
  writeRollupMeta,
} from "./rollups.js";
import type { LoginDoc } from "./types.js";

// Dates stay strings until the report zone is known: a date-only value means that calendar day there.
const dayText = z.string().refine((text) => parseIsoDate(text) !== undefined, {
  message: "expected an ISO date such as 2026-11-27 (a day that exists)",
});

/** The arguments of `usage.AggregateLogins`. */
export const aggregateLoginsArgs = z.object({
  /** First day to process; default: the cookie's offset, or `usage.start` on a first run or a reset. */
  start: dayText.optional(),
  /** Last day to process (inclusive); default today in the report zone. */
  end: dayText.optional(),
  /** Start again from `usage.start` instead of the cookie's offset. */
  reset: z.boolean().default(false),
});

/** Arguments of {@link AggregateLogins}. */
export type AggregateLoginsArgs = z.output<typeof aggregateLoginsArgs>;

/** What a run of {@link AggregateLogins} returns (kept in its journal entry). */
export interface AggregateLoginsResult {
  start: CalendarDay;
  end: CalendarDay;
  days: number;
  logins: number;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/**
 * Condenses successful logins from the source log (`usage.sysLog`) into the target (`usage.login`), one
 * calendar day of the report zone at a time, one document per day and user. Resumes from the cookie's
 * `offset` (the last completed day, processed again since the run that wrote it may have stopped while that
 * day was still going on), or from `usage.start`. After each day it rebuilds the period rollups that day
 * completes (and, on the run's last day, the periods still open). Each day is recomputed from the source, so reruns and runs
 * after a kill leave what one clean run leaves; the offset advances only after a day is complete.
 */
export class AggregateLogins extends CoreJob.withArgs(aggregateLoginsArgs) {
  static override readonly jobName = AGGREGATE_LOGINS;
  static override readonly author = "core4ts";
  static override readonly schedule = "30 1 * * *";

  override async execute(args: AggregateLoginsArgs): Promise<AggregateLoginsResult> {
    const config = this.config.section("usage");
    const zone = config.timezone;
    const today = todayIn(zone);
    const offset = args.reset ? undefined : await this.cookie.get<string>("offset");
    const start =
      args.start !== undefined ? parseDayArgument("start", args.start, zone) : (offset ?? config.start);
    const end = args.end !== undefined ? parseDayArgument("end", args.end, zone) : today;
    if (end > today) throw new Error(`end ${end} is after today (${today} in ${zone})`);
    if (end < start) throw new Error(`end ${end} is before start ${start}`);

    const source = this.collection(config.sysLog, this.config.core.mongodb.sysDatabase);
    const target = this.collection<LoginDoc>(config.login, "usage");
    const refs = rollupRefs(config.login);
    const rollups: Rollups = {
      periodUsers: this.collection<PeriodUserDoc>(refs.periodUsers, "usage"),
      periodCounts: this.collection<PeriodCountDoc>(refs.periodCounts, "usage"),
    };
    const firstSeen = this.collection<FirstSeenDoc>(refs.firstSeen, "usage");
    rollups.firstSeen = firstSeen;
    await ensureTargetIndexes(target);
    await ensureRollupIndexes(rollups);
    const indexError = await ensureSourceIndexes(source);
    if (indexError) {
      this.logger.warn("cannot create the login index on the source log; days are read without it", {
        error: indexError.message,
      });
    }

    const days = daysBetween(start, end) + 1;
    const exclude = excludedUsers(config);
    const meta = await readRollupMetaDoc(rollups);
    const built = meta?.exclude;
    const sameExclusions = built !== undefined && sameSet(built, exclude);
    if (built !== undefined && !sameExclusions && !args.reset) {
      this.logger.warn(
        "usage.excludeUsers changed since the logins were condensed: reports count from the day documents until the job runs with reset=true",
        { condensedWith: built, configured: exclude },
      );
    }
    if (args.reset || !meta?.firstSeen) {
      // first_seen is incomplete (a reset, or data condensed before it was kept): start it again from what
      // is stored outside this run's days; the days of the run then update it as they are condensed.
      const outside = await target.findOne(
        { $or: [{ day: { $lt: dayToDate(start) } }, { day: { $gt: dayToDate(end) } }] },
        { projection: { _id: 1 } },
      );
      this.setSource(start);
      if (outside) await rebuildFirstSeen(target, firstSeen);
      else await firstSeen.deleteMany({});
    }
    if (!meta?.monthDays) {
      // Month documents built by an older version lack their days: rebuild every month with data once.
      this.setSource(start);
      await refreshStoredMonths(target, rollups);
    }
    const tracker = new FirstSeenTracker(target, firstSeen);
    let done = 0;
    let logins = 0;
    for (const day of eachDay(start, end)) {
      this.signal.throwIfAborted();
      this.setSource(day);
      const result = await condenseDay(source, target, day, { timezone: zone, exclude });
      logins += result.logins;
      await writeDayCount(rollups, day, result.users, result.logins);
      await tracker.afterDay(day, result.userNames, result.removedUsers);
      await rollupAfterDay(target, rollups, day, day === end);
      await this.cookie.set("offset", day);
      done += 1;
      await this.progress(done / days, "%s: %d users, %d logins", day, result.users, result.logins);
    }
    // Only now do the rollups reflect these exclusions for every period the run touched.
    if (built === undefined || sameExclusions || args.reset) await writeRollupMeta(rollups, exclude, true);
    this.logger.info("logins condensed", { start, end, days, logins });
    return { start, end, days, logins };
  }
}
