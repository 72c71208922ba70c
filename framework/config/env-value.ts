import type { z } from "zod";
import { parseBooleanWord } from "../parse/boolean-word.js";
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
 * `CORE4_OPTION_server__port=5002` is a number and `CORE4_OPTION_usage__excludeUsers=bob,alice` a list.
 * Values that do not convert are returned unchanged for the schema to reject with a clear message.
 */
export function convertEnvValue(leaf: z.ZodType, raw: string): unknown {
  const def = defOf(unwrapSchema(leaf));
  switch (def.type) {
    case "number":
    case "int": {
      const n = Number(raw);
      return raw.trim() === "" || Number.isNaN(n) ? raw : n;
    }
    case "boolean":
      return parseBooleanWord(raw) ?? raw;
    case "array": {
      const text = raw.trim();
      if (text.startsWith("[")) return parseJson(raw);
      if (text === "") return [];
      const element = def.element;
      return text.split(",").map((item) => (element ? convertEnvValue(element, item.trim()) : item.trim()));
    }
    case "object":
    case "record":
      return parseJson(raw);
    case "null":
      return raw === "" || raw === "null" ? null : raw;
    case "union": {
      // The first option the string converts to and validates as (`maxParallel: 4` or `Infinity`).
      for (const option of def.options ?? []) {
        const value = convertEnvValue(option, raw);
        if (option.safeParse(value).success) return value;
      }
      return raw;
    }
    case "literal": {
      const values = (def as { values?: unknown[] }).values ?? [];
      return values.find((v) => String(v) === raw.trim()) ?? raw;
    }
    default:
      return raw;
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
