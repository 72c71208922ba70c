import { parseKeyValueArgs } from "core4ts";
import { CliError } from "./cli-error.js";

/**
 * Collects job arguments from `k=v` words and an optional `--args` JSON object (the words win).
 * Values stay strings: the job's schema converts and validates them at enqueue time.
 */
export function collectJobArgs(pairs: readonly string[], json: string | undefined): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new CliError(`--args is not valid JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new CliError('--args must be a JSON object, like \'{"start": "2026-01-01"}\'');
    }
    args = { ...(parsed as Record<string, unknown>) };
  }
  // The words win over --args; the framework splits them as everywhere else (last repeated key wins).
  Object.assign(args, parseKeyValueArgs(pairs));
  return args;
}
