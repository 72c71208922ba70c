import type { AuthUser } from "./types.js";

const patternCache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
    re = new RegExp(`^${body.join(".*")}$`);
    if (patternCache.size < 10_000) patternCache.set(pattern, re);
  }
  return re;
}

/**
 * Whether a permission pattern grants a permission. Patterns are literal except `*`, which matches any
 * run of characters: `api://usage/*` grants `api://usage/login/raw`; `*` grants everything.
 */
export function patternGrants(pattern: string, permission: string): boolean {
  return pattern === permission || (pattern.includes("*") && compile(pattern).test(permission));
}

/** Whether a user holds a permission: admin holds all, others need a granting pattern. */
export function hasPermission(user: AuthUser, permission: string): boolean {
  return user.isAdmin || user.perm.some((pattern) => patternGrants(pattern, permission));
}
