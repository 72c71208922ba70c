import type { z } from "zod";

/** The parts of a zod 4 schema definition (`_zod.def`) we read to learn what a key expects. */
export interface ZodDefLike {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  /** An enum's members (`{ fast: "fast" }`). */
  entries?: Record<string, string | number>;
  /** A literal's allowed values. */
  values?: readonly unknown[];
  /** A tuple's item schemas. */
  items?: z.ZodType[];
}

/** A schema's definition. */
export function defOf(schema: z.ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

/** Strips default/optional/nullable/prefault wrappers down to the value schema. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (
      def.innerType &&
      ["default", "prefault", "optional", "nullable", "readonly", "catch"].includes(def.type)
    ) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}
