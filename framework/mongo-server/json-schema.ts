/**
 * MongoDB's `$jsonSchema` (draft 4 with `bsonType`, without `$ref`, `format`, `default`, `definitions`),
 * for validators and queries. Returns the rules a document breaks, which become the `details` of a
 * DocumentValidationFailure (121).
 */
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from "bson";
import { canonicalKey, type Doc, isPlainObject } from "./bson-values.js";
import { CommandError, ErrorCodes } from "./command-error.js";

const KEYWORDS = new Set([
  "bsonType",
  "type",
  "required",
  "properties",
  "additionalProperties",
  "patternProperties",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "pattern",
  "enum",
  "items",
  "additionalItems",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "dependencies",
  "multipleOf",
  "title",
  "description",
]);

/** The BSON type names of a value (an integral number is an int or a long, as it arrived decoded). */
function bsonTypes(value: unknown): string[] {
  if (value === null) return ["null"];
  if (value === undefined) return ["undefined"];
  if (typeof value === "string") return ["string"];
  if (typeof value === "boolean") return ["bool"];
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return ["double", "number"];
    return Math.abs(value) <= 2 ** 31 - 1 ? ["int", "number"] : ["long", "number"];
  }
  if (value instanceof Int32) return ["int", "number"];
  if (value instanceof Long) return ["long", "number"];
  if (value instanceof Double) return ["double", "number"];
  if (value instanceof Decimal128) return ["decimal", "number"];
  if (Array.isArray(value)) return ["array"];
  if (value instanceof Date) return ["date"];
  if (value instanceof ObjectId) return ["objectId"];
  if (value instanceof RegExp) return ["regex"];
  if (value instanceof Binary || value instanceof Uint8Array) return ["binData"];
  if (value instanceof Timestamp) return ["timestamp"];
  if (value instanceof MinKey) return ["minKey"];
  if (value instanceof MaxKey) return ["maxKey"];
  if (isPlainObject(value)) return ["object"];
  return ["unknown"];
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => isPlainObject(v),
  array: Array.isArray,
  number: (v) => bsonTypes(v).includes("number"),
  boolean: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  null: (v) => v === null,
};

function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Long || value instanceof Int32 || value instanceof Double)
    return Number(value.valueOf());
  if (value instanceof Decimal128) return Number.parseFloat(value.toString());
  return undefined;
}

/** Refuses keywords MongoDB does not support, before the schema is used. */
export function checkSchema(schema: unknown, path = "$jsonSchema"): void {
  if (!isPlainObject(schema)) throw new CommandError(ErrorCodes.TypeMismatch, `${path} must be an object`);
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(key)) {
      throw new CommandError(
        ErrorCodes.FailedToParse,
        `$jsonSchema keyword '${key}' is not currently supported`,
      );
    }
    if (key === "type" && (value === "integer" || (Array.isArray(value) && value.includes("integer")))) {
      throw new CommandError(
        ErrorCodes.FailedToParse,
        "$jsonSchema type 'integer' is not currently supported",
      );
    }
    if ((key === "properties" || key === "patternProperties") && isPlainObject(value)) {
      for (const [name, inner] of Object.entries(value)) checkSchema(inner, `${path}.${key}.${name}`);
    }
    if (
      (key === "items" || key === "additionalProperties" || key === "additionalItems" || key === "not") &&
      isPlainObject(value)
    ) {
      checkSchema(value, `${path}.${key}`);
    }
    if (key === "items" && Array.isArray(value))
      value.forEach((inner, i) => {
        checkSchema(inner, `${path}.items.${i}`);
      });
    if ((key === "allOf" || key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      value.forEach((inner, i) => {
        checkSchema(inner, `${path}.${key}.${i}`);
      });
    }
  }
}

/** The rules of `schema` that `value` breaks (empty when it conforms). */
export function schemaViolations(schema: Doc, value: unknown): Doc[] {
  const out: Doc[] = [];
  const fail = (operatorName: string, extra: Doc = {}) => out.push({ operatorName, ...extra });
  const types = bsonTypes(value);
  if (schema.bsonType !== undefined) {
    const wanted = Array.isArray(schema.bsonType) ? schema.bsonType : [schema.bsonType];
    if (!wanted.some((t) => types.includes(String(t)))) {
      fail("bsonType", {
        specifiedAs: { bsonType: schema.bsonType },
        reason: "type did not match",
        consideredValue: value,
        consideredType: types[0],
      });
    }
  }
  if (schema.type !== undefined) {
    const wanted = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!wanted.some((t) => JSON_TYPES[String(t)]?.(value))) {
      fail("type", {
        specifiedAs: { type: schema.type },
        reason: "type did not match",
        consideredValue: value,
      });
    }
  }
  const n = num(value);
  if (n !== undefined) {
    const min = num(schema.minimum);
    if (min !== undefined && (schema.exclusiveMinimum === true ? n <= min : n < min)) {
      fail("minimum", {
        specifiedAs: { minimum: schema.minimum },
        reason: "comparison failed",
        consideredValue: value,
      });
    }
    const max = num(schema.maximum);
    if (max !== undefined && (schema.exclusiveMaximum === true ? n >= max : n > max)) {
      fail("maximum", {
        specifiedAs: { maximum: schema.maximum },
        reason: "comparison failed",
        consideredValue: value,
      });
    }
    const multiple = num(schema.multipleOf);
    if (multiple !== undefined && multiple !== 0 && n % multiple !== 0)
      fail("multipleOf", { consideredValue: value });
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < Number(schema.minLength))
      fail("minLength", { consideredValue: value });
    if (schema.maxLength !== undefined && length > Number(schema.maxLength))
      fail("maxLength", { consideredValue: value });
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
      fail("pattern", {
        specifiedAs: { pattern: schema.pattern },
        reason: "regular expression did not match",
        consideredValue: value,
      });
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => canonicalKey(e) === canonicalKey(value))) {
    fail("enum", {
      specifiedAs: { enum: schema.enum },
      reason: "value was not found in enum",
      consideredValue: value,
    });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < Number(schema.minItems))
      fail("minItems", { consideredValue: value });
    if (schema.maxItems !== undefined && value.length > Number(schema.maxItems))
      fail("maxItems", { consideredValue: value });
    if (schema.uniqueItems === true && new Set(value.map(canonicalKey)).size !== value.length)
      fail("uniqueItems");
    if (isPlainObject(schema.items)) {
      const items = schema.items;
      value.forEach((item, i) => {
        const inner = schemaViolations(items, item);
        if (inner.length > 0)
          fail("items", {
            reason: "At least one item did not match the sub-schema",
            itemIndex: i,
            details: inner,
          });
      });
    } else if (Array.isArray(schema.items)) {
      const items = schema.items as Doc[];
      value.forEach((item, i) => {
        const sub = items[i] ?? (isPlainObject(schema.additionalItems) ? schema.additionalItems : undefined);
        if (i >= items.length && schema.additionalItems === false) fail("additionalItems", { itemIndex: i });
        const inner = sub ? schemaViolations(sub, item) : [];
        if (inner.length > 0) fail("items", { itemIndex: i, details: inner });
      });
    }
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (Array.isArray(schema.required)) {
      const missing = schema.required.filter((k) => !Object.hasOwn(value, String(k)));
      if (missing.length > 0)
        fail("required", { specifiedAs: { required: schema.required }, missingProperties: missing });
    }
    if (schema.minProperties !== undefined && keys.length < Number(schema.minProperties))
      fail("minProperties");
    if (schema.maxProperties !== undefined && keys.length > Number(schema.maxProperties))
      fail("maxProperties");
    const properties = isPlainObject(schema.properties) ? schema.properties : {};
    const patterns = isPlainObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
    const propertyDetails: Doc[] = [];
    const extra: string[] = [];
    for (const key of keys) {
      let known = false;
      if (isPlainObject(properties[key])) {
        known = true;
        const inner = schemaViolations(properties[key] as Doc, value[key]);
        if (inner.length > 0) propertyDetails.push({ propertyName: key, details: inner });
      }
      for (const [pattern, sub] of patterns) {
        if (!new RegExp(pattern, "u").test(key)) continue;
        known = true;
        const inner = isPlainObject(sub) ? schemaViolations(sub, value[key]) : [];
        if (inner.length > 0) propertyDetails.push({ propertyName: key, details: inner });
      }
      if (!known) {
        if (schema.additionalProperties === false) extra.push(key);
        else if (isPlainObject(schema.additionalProperties)) {
          const inner = schemaViolations(schema.additionalProperties, value[key]);
          if (inner.length > 0) propertyDetails.push({ propertyName: key, details: inner });
        }
      }
    }
    if (propertyDetails.length > 0) fail("properties", { propertiesNotSatisfied: propertyDetails });
    if (extra.length > 0)
      fail("additionalProperties", {
        specifiedAs: { additionalProperties: false },
        additionalProperties: extra,
      });
    if (isPlainObject(schema.dependencies)) {
      for (const [key, dep] of Object.entries(schema.dependencies)) {
        if (!Object.hasOwn(value, key)) continue;
        const missing = Array.isArray(dep) ? dep.filter((d) => !Object.hasOwn(value, String(d))) : [];
        const inner = isPlainObject(dep) ? schemaViolations(dep, value) : [];
        if (missing.length > 0 || inner.length > 0) fail("dependencies", { conditionalProperty: key });
      }
    }
  }
  if (Array.isArray(schema.allOf)) {
    const failed = (schema.allOf as Doc[]).map((s) => schemaViolations(s, value)).filter((v) => v.length > 0);
    if (failed.length > 0) fail("allOf", { details: failed.flat() });
  }
  if (
    Array.isArray(schema.anyOf) &&
    !(schema.anyOf as Doc[]).some((s) => schemaViolations(s, value).length === 0)
  ) {
    fail("anyOf");
  }
  if (
    Array.isArray(schema.oneOf) &&
    (schema.oneOf as Doc[]).filter((s) => schemaViolations(s, value).length === 0).length !== 1
  ) {
    fail("oneOf");
  }
  if (isPlainObject(schema.not) && schemaViolations(schema.not, value).length === 0) fail("not");
  return out;
}

/** The predicate mingo's `$jsonSchema` query operator uses. */
export function jsonSchemaPredicate(schema: Doc): (doc: unknown) => boolean {
  checkSchema(schema);
  return (doc) => schemaViolations(schema, doc).length === 0;
}
