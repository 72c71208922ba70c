import { z } from "zod";
import { isValidDay } from "./calendar-day.js";

/** True when `zone` is an IANA time zone name this runtime knows (`UTC`, `Europe/Berlin`, ...). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The `usage` config section (docs/contracts.md "Usage config"). Every key has a default, so the plugin runs without
 * any configuration.
 */
export const usageConfigSchema = z.strictObject({
  /** Source: the collection holding the login events (a collection reference). */
  sysLog: z.string().min(1).default("core4/sys.log"),
  /** Target: the condensed logins, one document per calendar day and user. */
  login: z.string().min(1).default("usage/login"),
  /** First day to process on a first run or a reset (YYYY-MM-DD). */
  start: z
    .string()
    .refine(isValidDay, { message: "must be a calendar date YYYY-MM-DD" })
    .default("2018-01-01"),
  /** IANA time zone that decides a login's calendar day. */
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: "must be an IANA time zone such as UTC or Europe/Berlin" })
    .default("UTC"),
  /** First day of a week: `monday` (ISO weeks) or `sunday`. */
  weekStartsOn: z.enum(["monday", "sunday"]).default("monday"),
  /** Users never counted, besides `admin`. */
  excludeUsers: z.array(z.string()).default([]),
  /** Longest report range accepted, in days. */
  maxRangeDays: z.number().int().min(1).default(3660),
});

/** The validated `usage` section. */
export type UsageConfig = z.output<typeof usageConfigSchema>;

// `config.section("usage")` is typed wherever the plugin is imported.
declare module "core4ts" {
  interface ConfigSections {
    usage: UsageConfig;
  }
}

/** The users never counted: `admin` plus `usage.excludeUsers`. */
export function excludedUsers(config: Pick<UsageConfig, "excludeUsers">): string[] {
  return [...new Set(["admin", ...config.excludeUsers])];
}
