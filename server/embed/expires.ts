import { parseIsoDate } from "../../framework/parse/index.js";
import { HttpError } from "../errors/http-error.js";

const DURATION = /^(\d{1,6})\s*([smhdw])$/i;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Default lifetime of a new signed link, in seconds (30 days). */
export const DEFAULT_LINK_SECONDS = 30 * 86_400;

/**
 * Reads a link's expiry: a duration (`30d`, `12h`, `2w`), unix seconds, or an ISO date/datetime; absent →
 * 30 days. Refused with 400 naming `expires` when unreadable, not in the future, or more than `maxDays` ahead.
 */
export function parseExpires(value: unknown, maxDays: number, now: Date = new Date()): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let expires: number;
  const text = typeof value === "string" ? value.trim() : value;
  // The one ISO reader: `2026-02-30` is refused, not rolled over to March 2 as Date.parse does.
  const iso = typeof text === "string" ? parseIsoDate(text) : undefined;
  if (text === undefined || text === null || text === "") expires = nowSeconds + DEFAULT_LINK_SECONDS;
  else if (typeof text === "number" && Number.isInteger(text)) expires = text;
  else if (typeof text === "string" && /^\d{1,12}$/.test(text)) expires = Number(text);
  else if (typeof text === "string" && DURATION.test(text)) {
    const [, n, unit] = DURATION.exec(text) as RegExpExecArray;
    expires = nowSeconds + Number(n) * (UNIT_SECONDS[(unit as string).toLowerCase()] as number);
  } else if (iso !== undefined) {
    expires = Math.floor(iso.instant.getTime() / 1000);
  } else {
    throw HttpError.badRequest(
      `expires: "${String(value).slice(0, 40)}" is not a duration (30d, 12h), unix seconds or an ISO date`,
    );
  }
  if (expires <= nowSeconds) {
    throw HttpError.badRequest(`expires: ${new Date(expires * 1000).toISOString()} is in the past`);
  }
  if (expires > nowSeconds + maxDays * 86_400) {
    throw HttpError.badRequest(
      `expires: ${new Date(expires * 1000).toISOString()} is more than ${maxDays} days ahead (server.embedMaxDays)`,
    );
  }
  return expires;
}
