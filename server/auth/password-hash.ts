import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * scrypt cost parameters: one of OWASP's equivalent settings (Password Storage Cheat Sheet: N=2^17, r=8,
 * p=1 or N=2^15, r=8, p=3). This one needs 32 MiB per hash instead of 128 MiB, so parallel logins stay
 * within a server's memory; the CPU work is about the same.
 */
export const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
// Stored parameters beyond these are not ours: refuse them rather than spend minutes on one hash.
const MAX_N = 2 ** 17;
const MAX_P = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128·N·r bytes (32 MiB for N=2^15, r=8; p runs one after another); Node's default
    // maxmem (32 MiB) is just too small, so allow twice that.
    const maxmem = 256 * (options.N ?? 1) * (options.r ?? 8);
    scrypt(password.normalize("NFC"), salt, length, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parse(stored: string | undefined): ParsedHash | undefined {
  const parts = stored?.split("$") ?? [];
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== "scrypt" || !salt || !hash) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const valid =
    Number.isInteger(cost.N) &&
    cost.N > 1 &&
    cost.N <= MAX_N &&
    (cost.N & (cost.N - 1)) === 0 &&
    Number.isInteger(cost.r) &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    Number.isInteger(cost.p) &&
    cost.p >= 1 &&
    cost.p <= MAX_P;
  if (!valid) return undefined;
  return { ...cost, salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
}

/** Hashes a password with scrypt and a random salt: `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = SCRYPT_COST;
  const key = await derive(password, salt, SCRYPT_COST, KEY_LENGTH);
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * Whether a stored hash was made with weaker parameters than {@link SCRYPT_COST} (or is not one of ours):
 * after a successful login it is replaced by a new hash of the same password.
 */
export function needsRehash(stored: string | undefined): boolean {
  const parsed = parse(stored);
  if (!parsed) return true;
  const cost = SCRYPT_COST;
  return parsed.N * parsed.r * parsed.p < cost.N * cost.r * cost.p || parsed.hash.length < KEY_LENGTH;
}

/**
 * Checks a password against a stored hash in constant time. An absent or malformed hash never matches,
 * but still costs one scrypt run so response times do not tell which names exist. Hashes made with older
 * parameters still verify.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.hash.length === 0) {
    await derive(password, randomBytes(SALT_BYTES), SCRYPT_COST, KEY_LENGTH);
    return false;
  }
  const actual = await derive(
    password,
    parsed.salt,
    { N: parsed.N, r: parsed.r, p: parsed.p },
    parsed.hash.length,
  );
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}
