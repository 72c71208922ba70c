/**
 * Collations (`{locale, strength, caseLevel, caseFirst, numericOrdering}`) through `Intl.Collator`: string
 * comparison in query operators, sorting, `distinct` and collated unique indexes. ICU underneath both
 * MongoDB and Node, but Node's Intl exposes fewer knobs: see docs/embedded-mongo.md.
 */
import { Context } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import type { CollationSpec } from "mingo/types";
import { resolve } from "mingo/util";
import { type Doc, isPlainObject } from "./bson-values.js";
import { CommandError, ErrorCodes } from "./command-error.js";

const STRENGTH: Record<number, "base" | "accent" | "variant"> = { 1: "base", 2: "accent", 3: "variant" };
const FIELDS = new Set([
  "locale",
  "strength",
  "caseLevel",
  "caseFirst",
  "numericOrdering",
  "alternate",
  "maxVariable",
  "normalization",
  "backwards",
  "version",
]);

/** A parsed, non-simple collation. */
export interface Collation {
  /** The spec as MongoDB echoes it (and as mingo's `$sort` takes it). */
  readonly spec: CollationSpec & Doc;
  /** Compares two strings. */
  compare(a: string, b: string): number;
  /** A string equal for two strings exactly when they compare equal (for unique collated indexes). */
  key(value: string): string;
  /** mingo operators that compare strings with this collation. */
  readonly context: Context;
}

function invalid(message: string): never {
  throw new CommandError(ErrorCodes.BadValue, message);
}

function unsupported(what: string): never {
  throw new CommandError(
    ErrorCodes.NotImplemented,
    `collation ${what} is not supported by the embedded MongoDB server`,
  );
}

const cache = new Map<string, Collation>();

/**
 * Parses a `collation` option; undefined for none or `{locale: "simple"}`. Invalid specs answer BadValue,
 * options Intl.Collator cannot honour answer NotImplemented (238).
 */
export function parseCollation(value: unknown): Collation | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) invalid("collation must be a document");
  for (const key of Object.keys(value))
    if (!FIELDS.has(key)) invalid(`unknown collation spec field '${key}'`);
  const locale = value.locale;
  if (typeof locale !== "string" || locale.length === 0) invalid('Missing expected field "locale"');
  if (locale === "simple") {
    if (Object.keys(value).length > 1)
      invalid('If "locale" is "simple", no other collation fields may be set');
    return undefined;
  }
  const strength = value.strength === undefined ? 3 : Number(value.strength);
  if (!Number.isInteger(strength) || strength < 1 || strength > 5)
    invalid("collation strength must be 1 to 5");
  if (strength > 3) unsupported(`strength ${strength}`);
  if (value.backwards === true) unsupported("backwards");
  if (value.alternate !== undefined && value.alternate !== "non-ignorable")
    unsupported(`alternate "${String(value.alternate)}"`);
  if (value.normalization === true) unsupported("normalization");
  const caseFirst = value.caseFirst ?? "off";
  if (!["upper", "lower", "off"].includes(caseFirst as string))
    invalid(`invalid caseFirst "${String(caseFirst)}"`);
  let canonical: string;
  try {
    const found = Intl.Collator.supportedLocalesOf([locale.replace(/_/g, "-")]);
    if (found.length === 0) invalid(`Field "locale" is invalid: ${locale}`);
    canonical = found[0];
  } catch (error) {
    if (error instanceof CommandError) throw error;
    invalid(`Field "locale" is invalid: ${locale}`);
  }
  const caseLevel = value.caseLevel === true;
  const numericOrdering = value.numericOrdering === true;
  const spec = {
    locale,
    caseLevel,
    caseFirst: caseFirst as "upper" | "lower" | "off",
    strength: strength as 1 | 2 | 3,
    numericOrdering,
    alternate: "non-ignorable",
    maxVariable: "punct",
    normalization: false,
    backwards: false,
    version: "57.1",
  } as unknown as CollationSpec & Doc;
  const cacheKey = JSON.stringify(spec);
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  let sensitivity: "base" | "accent" | "case" | "variant" = STRENGTH[strength];
  if (caseLevel && sensitivity === "base") sensitivity = "case";
  if (caseLevel && sensitivity === "accent") sensitivity = "variant";
  const collator = new Intl.Collator(canonical, {
    sensitivity,
    caseFirst: caseFirst === "off" ? "false" : (caseFirst as "upper" | "lower"),
    numeric: numericOrdering,
    usage: "sort",
  });
  const stripMarks = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "");
  const key = (s: string): string => {
    // An approximation of ICU sort keys for equality: case and accents folded as the strength says.
    if (numericOrdering) s = s.replace(/\d+/g, (d) => String(BigInt(d)));
    if (sensitivity === "base") return stripMarks(s).toLocaleLowerCase(canonical);
    if (sensitivity === "accent") return s.normalize("NFC").toLocaleLowerCase(canonical);
    if (sensitivity === "case") return stripMarks(s);
    return s.normalize("NFC");
  };
  const collation: Collation = {
    spec,
    compare: (a, b) => collator.compare(a, b),
    key,
    context: collatedContext((a, b) => collator.compare(a, b)),
  };
  cache.set(cacheKey, collation);
  return collation;
}

type QueryOperator = (selector: string, value: unknown, options: unknown) => (doc: unknown) => boolean;

/** mingo's query operators with string comparisons done by `compare`; other values keep mingo's rules. */
function collatedContext(compare: (a: string, b: string) => number): Context {
  const original = queryOperators as unknown as Record<string, QueryOperator>;
  const values = (doc: unknown, selector: string): unknown[] => {
    const found = resolve(doc as Doc, selector, { unwrapArray: true });
    return Array.isArray(found) ? [found, ...found] : [found];
  };
  const hasString = (value: unknown): boolean =>
    typeof value === "string" || (Array.isArray(value) && value.some((v) => typeof v === "string"));
  const eq =
    (selector: string, value: string) =>
    (doc: unknown): boolean =>
      values(doc, selector).some((v) => typeof v === "string" && compare(v, value) === 0);
  const inList = (selector: string, list: unknown[], options: unknown) => {
    const strings = list.filter((v): v is string => typeof v === "string");
    const others = original.$in(
      selector,
      list.filter((v) => typeof v !== "string"),
      options,
    );
    return (doc: unknown): boolean =>
      others(doc) ||
      values(doc, selector).some((v) => typeof v === "string" && strings.some((s) => compare(v, s) === 0));
  };
  const range = (test: (c: number) => boolean) => (selector: string, value: unknown, options: unknown) => {
    if (typeof value !== "string") return original[rangeName(test)](selector, value, options);
    return (doc: unknown): boolean =>
      values(doc, selector).some((v) => typeof v === "string" && test(compare(v, value)));
  };
  const gt = (c: number) => c > 0;
  const gte = (c: number) => c >= 0;
  const lt = (c: number) => c < 0;
  const lte = (c: number) => c <= 0;
  const names = new Map<(c: number) => boolean, string>([
    [gt, "$gt"],
    [gte, "$gte"],
    [lt, "$lt"],
    [lte, "$lte"],
  ]);
  const rangeName = (test: (c: number) => boolean) => names.get(test) as string;
  const overrides: Record<string, QueryOperator> = {
    $eq: (selector, value, options) =>
      typeof value === "string" ? eq(selector, value) : original.$eq(selector, value, options),
    $ne: (selector, value, options) => {
      const inner = typeof value === "string" ? eq(selector, value) : original.$eq(selector, value, options);
      return (doc) => !inner(doc);
    },
    $in: (selector, value, options) =>
      Array.isArray(value) && hasString(value)
        ? inList(selector, value, options)
        : original.$in(selector, value, options),
    $nin: (selector, value, options) => {
      const inner =
        Array.isArray(value) && hasString(value)
          ? inList(selector, value, options)
          : original.$in(selector, value, options);
      return (doc) => !inner(doc);
    },
    $gt: range(gt),
    $gte: range(gte),
    $lt: range(lt),
    $lte: range(lte),
  };
  return Context.init({
    accumulator: accumulatorOperators,
    expression: expressionOperators,
    pipeline: pipelineOperators,
    projection: projectionOperators,
    query: { ...queryOperators, ...overrides } as never,
    window: windowOperators,
  } as never);
}
