/** The text that replaces a secret. */
export const REDACTED = "[redacted]";

// Keys whose values are secrets: the whole name, or its last word (db_password, dbPassword, x-api-key).
const SECRET_WORD = "(pass(word|wd)?|secret|token|authorization|api[-_]?key|cookie|credentials?)";
const SECRET_KEY = new RegExp(`(^|[-_.])${SECRET_WORD}$`, "i");
const SECRET_CAMEL = /[a-z0-9](Pass(word|wd)?|Secret|Token|Authorization|ApiKey|Cookie|Credentials?)$/;
// user:password@ inside any URL (mongodb://, redis://, https://).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):([^@/\s]*)@/gi;

// Log records repeat the same few field names: remember the answer instead of testing two patterns each time.
const KNOWN_KEYS = new Map<string, boolean>();
const KNOWN_KEYS_MAX = 2_000;

/** True when a field of this name holds a secret (`password`, `secret`, `token`, `apiKey`, ...). */
export function isSecretKey(key: string): boolean {
  let secret = KNOWN_KEYS.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key) || SECRET_CAMEL.test(key);
    if (KNOWN_KEYS.size >= KNOWN_KEYS_MAX) KNOWN_KEYS.clear();
    KNOWN_KEYS.set(key, secret);
  }
  return secret;
}

/** Hides passwords of URLs inside a text (`redis://u:pw@h` → `redis://u:***@h`). */
export function redactText(text: string): string {
  return text.includes("://") ? text.replace(URL_PASSWORD, "$1:***@") : text;
}

/**
 * Returns a copy of a value with secrets hidden: fields named like a secret become `[redacted]`, URL
 * passwords in strings become `***`. Use it before logging anything that came from a user or a config.
 */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, seen));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isSecretKey(key) ? REDACTED : redactValue(v, seen);
  return out;
}
