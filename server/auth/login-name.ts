import { HttpError } from "../errors/http-error.js";

/** Longest login name accepted (docs/contracts.md "HTTP"); role names have the same limit. */
export const MAX_LOGIN_NAME = 64;

/**
 * Checks a login name before any work is done for it (no password hash, no throttle entry, no log record),
 * so huge names cannot fill sys.log or the throttle's memory.
 *
 * @throws HttpError 400 when the name is longer than {@link MAX_LOGIN_NAME} characters.
 */
export function checkLoginName(name: string): string {
  if (name.length > MAX_LOGIN_NAME) {
    throw HttpError.badRequest(`login name longer than ${MAX_LOGIN_NAME} characters`);
  }
  return name;
}
