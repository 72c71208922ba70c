import type { z } from "zod";
import { coerceTextLoose } from "../parse/coerce.js";
import { defOf, unwrapSchema } from "../parse/zod-def.js";

/** Result of resolving an environment path against the schema: the canonical key path and the leaf schema. */
export interface ResolvedPath {
  path: string[];
  leaf: z.ZodType;
}

/**
 * Resolves `segments` (as written in a CORE4_OPTION_ variable, compared case-insensitively) to the schema's
 * own key names. Returns undefined when a segment names no key.
 */
export function resolvePath(schema: z.ZodType, segments: string[]): ResolvedPath | undefined {
  const path: string[] = [];
  let current = schema;
  for (const segment of segments) {
    const def = defOf(unwrapSchema(current));
    if (def.type === "object" && def.shape) {
      const key = Object.keys(def.shape).find((k) => k.toLowerCase() === segment.toLowerCase());
      if (key === undefined) return undefined;
      path.push(key);
      current = def.shape[key] as z.ZodType;
    } else if (def.type === "record" && def.valueType) {
      path.push(segment);
      current = def.valueType;
    } else {
      return undefined;
    }
  }
  return { path, leaf: current };
}

/**
 * Converts an environment string to the type the schema expects at that key, so that
 * `CORE4_OPTION_server__port=5002` is a number and `CORE4_OPTION_usage__excludeUsers=bob,alice` a list
 * (the rules: framework/parse/coerce.ts, docs/configuration.md "How text becomes a value").
 * Values that do not convert are returned unchanged for the schema to reject with a clear message.
 */
export function convertEnvValue(leaf: z.ZodType, raw: string): unknown {
  return coerceTextLoose(leaf, raw);
}
