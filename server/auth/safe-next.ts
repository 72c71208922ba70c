/** Where the login page returns to when no (or no safe) `next` is given. */
export const DEFAULT_NEXT = "/core4/api/v1/profile";

/**
 * Returns `next` if it is a same-origin path (`/usage/login?x=1`), else the default. Rejects absolute
 * URLs, protocol-relative `//host` (also when only normalisation makes it one, as `/.//host` does),
 * backslash tricks (`/\host`) and control characters, which would otherwise make the login page an open
 * redirect.
 */
export function safeNext(next: unknown, fallback: string = DEFAULT_NEXT): string {
  if (typeof next !== "string" || next.length > 2048) return fallback;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  const base = "http://core4.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  // Check what is returned, not only what came in: `/.//evil.example` normalises to `//evil.example`.
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//")) return fallback;
  return path;
}
