/**
 * The bridge to mingo: query matching, projection, sorting, update operators and aggregation pipelines.
 * Everything handed to mingo is either freshly built or cloned, so stored documents never change.
 */
import { Aggregator, update as mingoUpdate, Query } from "mingo";
import { Aggregator as AggregatorBase } from "mingo/aggregator";
import { Query as QueryBase } from "mingo/query";
import type { Options } from "mingo/types";
import { update as collatedUpdate } from "mingo/updater";
import { canonicalKey, cloneValue, type Doc, idFirst, isPlainObject, setPath } from "./bson-values.js";
import type { Collation } from "./collation.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import { jsonSchemaPredicate } from "./json-schema.js";

/** Resolves a collection name (in the current database) to its documents, for `$lookup` and friends. */
export type CollectionResolver = (name: string) => Doc[];

const UTC_NAMES = new Set([
  "UTC",
  "utc",
  "GMT",
  "Etc/UTC",
  "Etc/GMT",
  "Z",
  "Etc/Universal",
  "Universal",
  "Zulu",
]);

/** mingo options shared by every call; scripts (`$where`, `$function`) stay disabled as on a hardened server. */
export function mingoOptions(
  resolver?: CollectionResolver,
  variables?: Doc,
  collation?: Collation,
): Partial<Options> {
  return {
    idKey: "_id",
    scriptEnabled: false,
    jsonSchemaValidator: jsonSchemaPredicate as Options["jsonSchemaValidator"],
    ...(resolver ? { collectionResolver: resolver } : {}),
    ...(variables ? { variables } : {}),
    ...(collation ? { collation: collation.spec, context: collation.context } : {}),
  };
}

/** A mingo query; with a collation, one whose operators compare strings by it. */
function query(condition: Doc, options: Partial<Options>, collation?: Collation): Query {
  // The default-context Query would put mingo's own operators over the collated ones.
  return (collation ? new QueryBase(condition, options) : new Query(condition, options)) as Query;
}

/**
 * Rewrites what mingo would reject or misread: time zone names for UTC become "+00:00" (mingo only knows
 * offsets and Area/City names). Returns a new tree; the input is not changed.
 */
export function normalizeExpression<T>(value: T): T {
  if (Array.isArray(value)) return value.map(normalizeExpression) as T;
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === "timezone" && typeof v === "string" && UTC_NAMES.has(v) ? "+00:00" : normalizeExpression(v);
  }
  return out as T;
}

function asCommandError(error: unknown, code: number = ErrorCodes.BadValue): unknown {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CommandError(code, message);
}

/** Compiles a query filter into a predicate. Invalid filters become BadValue errors. */
export function compileFilter(
  filter: Doc | undefined,
  variables?: Doc,
  collation?: Collation,
): (doc: Doc) => boolean {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  try {
    const compiled = query(
      normalizeExpression(filter),
      mingoOptions(undefined, variables, collation),
      collation,
    );
    return (doc) => compiled.test(doc);
  } catch (error) {
    throw asCommandError(error);
  }
}

/**
 * Puts the fields of a projected document back in the order of the stored one (MongoDB keeps document
 * order in inclusion projections; mingo follows the projection's order). Fields the projection computed
 * come after, in the projection's order.
 */
function inStoredOrder(projected: Doc, stored: Doc | undefined): Doc {
  if (!stored) return projected;
  const out: Doc = {};
  for (const key of Object.keys(stored)) {
    if (!Object.hasOwn(projected, key)) continue;
    const value = projected[key];
    out[key] = isPlainObject(value) && isPlainObject(stored[key]) ? inStoredOrder(value, stored[key]) : value;
  }
  for (const key of Object.keys(projected)) if (!Object.hasOwn(out, key)) out[key] = projected[key];
  return out;
}

/**
 * The values of a command's `let` variables: each is an expression (`{$literal: ...}`, `"$$NOW"`,
 * arithmetic...) evaluated once, without a current document, as MongoDB does.
 */
export function evaluateVariables(letDoc: Doc | undefined): Doc | undefined {
  if (!letDoc || Object.keys(letDoc).length === 0) return letDoc;
  for (const name of Object.keys(letDoc)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(name)) {
      throw new CommandError(
        ErrorCodes.FailedToParse,
        `'${name}' starts with an invalid character for a user variable name`,
      );
    }
  }
  const [values] = runPipeline([{}], [{ $replaceWith: { $literal: {} } }, { $addFields: letDoc }]);
  return values ?? {};
}

/** A projection that only includes or only excludes top-level fields (and maybe `_id`). */
interface TopLevelProjection {
  include: boolean;
  fields: Set<string>;
  /** Whether `_id` is in the result. */
  id: boolean;
}

/**
 * The projection as a {@link TopLevelProjection} when it is one (`{a: 1, b: 1, _id: 0}`, `{a: 0}`), else
 * undefined (dotted paths, operators, expressions, mixed modes: mingo answers those, and their errors).
 */
function simpleProjection(projection: Doc): TopLevelProjection | undefined {
  const keys = Object.keys(projection);
  if (keys.length === 0) return undefined;
  let include: boolean | undefined;
  let id = true;
  const fields = new Set<string>();
  for (const key of keys) {
    const value = projection[key];
    if (typeof value !== "number" && typeof value !== "boolean") return undefined;
    if (key.includes(".") || key.startsWith("$")) return undefined;
    const on = value !== 0 && value !== false;
    if (key === "_id") {
      id = on;
      continue;
    }
    if (include !== undefined && include !== on) return undefined;
    include = on;
    fields.add(key);
  }
  // Only `_id` named: `{_id: 0}` excludes it, `{_id: 1}` keeps only it.
  return { include: include ?? id, fields, id };
}

/** Applies a top-level projection; stored order is kept and values are shared (replies are never changed). */
function projectTopLevel(doc: Doc, p: TopLevelProjection): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const keep = key === "_id" ? p.id : p.fields.has(key) === p.include;
    if (keep) out[key] = doc[key];
  }
  return out;
}

/** Sorts, skips, limits and projects already-filtered documents (in that order, as MongoDB does). */
export function shapeResults(
  docs: Doc[],
  opts: {
    sort?: Doc;
    skip?: number;
    limit?: number;
    projection?: Doc;
    collation?: Collation;
    variables?: Doc;
  },
): Doc[] {
  try {
    let out = docs;
    if (opts.sort && Object.keys(opts.sort).length > 0) {
      out = query({}, mingoOptions(undefined, undefined, opts.collation), opts.collation)
        .find(out)
        .sort(opts.sort as Record<string, 1 | -1>)
        .all() as Doc[];
    }
    if (opts.skip) out = out.slice(opts.skip);
    if (opts.limit) out = out.slice(0, opts.limit);
    const simple = opts.projection ? simpleProjection(opts.projection) : undefined;
    if (simple) out = out.map((doc) => projectTopLevel(doc, simple));
    else if (opts.projection && Object.keys(opts.projection).length > 0) {
      const projection = normalizeExpression(opts.projection);
      // Projection may compute values from the document: give mingo copies.
      const projected = new Query({}, mingoOptions(undefined, opts.variables))
        .find(out.map(cloneValue), projection)
        .all() as Doc[];
      const source = out;
      out = projected.map((doc, i) => idFirst(inStoredOrder(doc, source[i])));
    }
    return out;
  } catch (error) {
    throw asCommandError(error);
  }
}

/** Pipeline stages mingo runs without touching its input documents (anything else gets copies). */
const NON_MUTATING_STAGES = new Set([
  "$match",
  "$group",
  "$sort",
  "$limit",
  "$skip",
  "$count",
  "$sortByCount",
]);

/** Runs an aggregation pipeline over the given documents. */
export function runPipeline(
  docs: Doc[],
  pipeline: Doc[],
  resolver?: CollectionResolver,
  variables?: Doc,
  collation?: Collation,
): Doc[] {
  try {
    const safe = pipeline.every((stage) => NON_MUTATING_STAGES.has(Object.keys(stage)[0] ?? ""));
    const input = safe ? docs : docs.map(cloneValue);
    const options = mingoOptions(resolver, variables, collation);
    const stages = normalizeExpression(pipeline);
    const aggregator = collation ? new AggregatorBase(stages, options) : new Aggregator(stages, options);
    return aggregator.run(input) as Doc[];
  } catch (error) {
    throw asCommandError(error);
  }
}

/** True when the update document uses operators (`$set`...) rather than being a replacement. */
export function isOperatorUpdate(update: Doc): boolean {
  const keys = Object.keys(update);
  if (keys.length === 0) return false;
  const ops = keys.filter((k) => k.startsWith("$"));
  if (ops.length > 0 && ops.length !== keys.length) {
    throw new CommandError(ErrorCodes.FailedToParse, "Update document mixes operators and plain fields");
  }
  return ops.length > 0;
}

/** Outcome of applying one update to one document. */
export interface UpdateOutcome {
  doc: Doc;
  modified: boolean;
}

function sameDocument(a: Doc, b: Doc): boolean {
  return canonicalKey(a) === canonicalKey(b);
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`. `inserting` is true for the
 * document an upsert creates: only then does `$setOnInsert` apply (mingo lacks it, so it becomes `$set`).
 */
export function applyUpdate(
  doc: Doc,
  update: Doc | Doc[],
  opts: { inserting: boolean; filter?: Doc; arrayFilters?: Doc[]; variables?: Doc; collation?: Collation },
): UpdateOutcome {
  let next: Doc;
  if (Array.isArray(update)) {
    const [result] = runPipeline([cloneValue(doc)], update, undefined, opts.variables);
    if (!result) throw new CommandError(ErrorCodes.BadValue, "update pipeline removed the document");
    // A pipeline whose new root lacks `_id` ($replaceRoot, $project) keeps the original one, as in MongoDB.
    next = result._id === undefined && doc._id !== undefined ? { _id: doc._id, ...result } : result;
  } else if (isOperatorUpdate(update)) {
    const ops: Doc = { ...normalizeExpression(update) };
    const onInsert = ops.$setOnInsert;
    delete ops.$setOnInsert;
    if (opts.inserting && isPlainObject(onInsert)) {
      const set = isPlainObject(ops.$set) ? { ...ops.$set } : {};
      for (const [path, value] of Object.entries(onInsert)) {
        if (path in set) {
          throw new CommandError(40, `Updating the path '${path}' would create a conflict at '${path}'`);
        }
        set[path] = value;
      }
      ops.$set = set;
    }
    next = cloneValue(doc);
    if (Object.keys(ops).length > 0) {
      try {
        if (opts.collation) {
          // The filter (positional `$`) and arrayFilters then compare strings by the collation too.
          collatedUpdate(next, ops, opts.arrayFilters, opts.filter, {
            cloneMode: "deep",
            queryOptions: mingoOptions(undefined, undefined, opts.collation),
          });
        } else mingoUpdate(next, ops, opts.arrayFilters, opts.filter, { cloneMode: "deep" });
      } catch (error) {
        const immutable = error instanceof Error && error.message.includes("immutable field '_id'");
        throw asCommandError(error, immutable ? ErrorCodes.ImmutableField : ErrorCodes.FailedToParse);
      }
    }
  } else {
    if ("_id" in update && doc._id !== undefined && canonicalKey(update._id) !== canonicalKey(doc._id)) {
      throw new CommandError(
        ErrorCodes.ImmutableField,
        "After applying the update, the (immutable) field '_id' was found to have been altered",
      );
    }
    next = { _id: doc._id, ...cloneValue(update) };
    if (next._id === undefined) delete next._id;
  }
  if (doc._id !== undefined && canonicalKey(next._id) !== canonicalKey(doc._id)) {
    throw new CommandError(
      ErrorCodes.ImmutableField,
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  next = idFirst(next);
  // A document an upsert creates is new whatever it holds: no comparison needed.
  return { doc: next, modified: opts.inserting || !sameDocument(doc, next) };
}

/** The document an upsert starts from: the equality conditions of its filter. */
export function upsertSeed(filter: Doc | undefined): Doc {
  const seed: Doc = {};
  const visit = (f: Doc) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === "$and" && Array.isArray(value)) {
        for (const part of value) if (isPlainObject(part)) visit(part);
        continue;
      }
      if (key.startsWith("$")) continue;
      if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length > 0 && keys.every((k) => k.startsWith("$"))) {
          if ("$eq" in value) setPath(seed, key, cloneValue(value.$eq));
          continue;
        }
      }
      if (value instanceof RegExp) continue;
      setPath(seed, key, cloneValue(value));
    }
  };
  if (filter) visit(filter);
  return seed;
}
