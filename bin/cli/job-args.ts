import { parseKeyValueArgs } from "../../framework/job/index.js";
import { CliError } from "./cli-error.js";

/**
 * Collects job arguments from `k=v` words and an optional `--args` JSON object (the words win).
 * Values stay strings: the job's schema converts and validates them at enqueue time. A key given twice is
 * an error.
 */
export function collectJobArgs(pairs: readonly string[], json: string | undefined): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new CliError(`--args is not valid JSON: ${(error as Error).message}`, "bad_argument");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new CliError('--args must be a JSON object, like \'{"start": "2026-01-01"}\'', "bad_argument");
    }
    args = { ...(parsed as Record<string, unknown>) };
  }
  // On a command line a key given twice is a slip, not core4's "last value wins" of repeated parameters.
  const seen = new Set<string>();
  for (const word of pairs) {
    const key = word.slice(0, Math.max(0, word.indexOf("=")));
    if (key === "") continue;
    if (seen.has(key)) throw new CliError(`argument "${key}" is given twice`, "bad_argument");
    seen.add(key);
  }
  // The words win over --args.
  Object.assign(args, parseKeyValueArgs(pairs));
  return args;
}
