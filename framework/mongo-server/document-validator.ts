/** Schema validation (`validator`, `validationLevel`, `validationAction`) as MongoDB applies it to writes. */
import { type Doc, isPlainObject } from "./bson-values.js";
import type { CollectionStore } from "./collection-store.js";
import { CommandError, ErrorCodes } from "./command-error.js";
import { checkSchema, schemaViolations } from "./json-schema.js";
import { compileFilter } from "./mingo-adapter.js";

const LEVELS = new Set(["off", "strict", "moderate"]);
const ACTIONS = new Set(["error", "warn"]);
const compiled = new WeakMap<Doc, (doc: Doc) => boolean>();

/** Checks validator options before they are stored (`create`, `collMod`). */
export function checkValidatorOptions(options: Doc): void {
  const { validator, validationLevel, validationAction } = options;
  if (validator !== undefined) {
    if (!isPlainObject(validator))
      throw new CommandError(ErrorCodes.TypeMismatch, "'validator' must be a document");
    if (isPlainObject(validator.$jsonSchema)) checkSchema(validator.$jsonSchema);
    for (const op of ["$near", "$nearSphere", "$text", "$where"]) {
      if (op in validator) {
        throw new CommandError(ErrorCodes.InvalidOptions, `${op} is not allowed in collection validators`);
      }
    }
    compileFilter(validator);
  }
  if (validationLevel !== undefined && !LEVELS.has(validationLevel as string)) {
    throw new CommandError(
      ErrorCodes.BadValue,
      `Enumeration value '${String(validationLevel)}' for field 'validationLevel' is not a valid value.`,
    );
  }
  if (validationAction !== undefined && !ACTIONS.has(validationAction as string)) {
    throw new CommandError(
      validationAction === "errorAndLog" ? ErrorCodes.NotImplemented : ErrorCodes.BadValue,
      `Enumeration value '${String(validationAction)}' for field 'validationAction' is not a valid value.`,
    );
  }
}

function matcher(validator: Doc): (doc: Doc) => boolean {
  let test = compiled.get(validator);
  if (!test) {
    test = compileFilter(validator);
    compiled.set(validator, test);
  }
  return test;
}

function details(validator: Doc, doc: Doc): Doc {
  const keys = Object.keys(validator);
  if (keys.length === 1 && isPlainObject(validator.$jsonSchema)) {
    return {
      operatorName: "$jsonSchema",
      schemaRulesNotSatisfied: schemaViolations(validator.$jsonSchema, doc),
    };
  }
  const clausesNotSatisfied: Doc[] = [];
  keys.forEach((key, index) => {
    const clause = { [key]: validator[key] };
    if (matcher(clause)(doc)) return;
    const detail: Doc =
      key === "$jsonSchema" && isPlainObject(validator.$jsonSchema)
        ? {
            operatorName: "$jsonSchema",
            schemaRulesNotSatisfied: schemaViolations(validator.$jsonSchema, doc),
          }
        : {
            operatorName: key.startsWith("$") ? key : "$eq",
            specifiedAs: clause,
            reason: "clause did not match",
          };
    clausesNotSatisfied.push({ index, details: detail });
  });
  return { operatorName: "$and", clausesNotSatisfied };
}

/**
 * DocumentValidationFailure (121) when `doc` breaks the collection's validator and the level and action
 * say it must be refused; undefined otherwise. `before` is the document an update replaces (the
 * `moderate` level lets updates of documents that were already invalid through).
 */
export function validationFailure(store: CollectionStore, doc: Doc, before?: Doc): CommandError | undefined {
  const validator = store.options.validator;
  if (!isPlainObject(validator) || Object.keys(validator).length === 0) return undefined;
  const level = store.options.validationLevel ?? "strict";
  if (level === "off") return undefined;
  const test = matcher(validator);
  if (test(doc)) return undefined;
  if (level === "moderate" && before && !test(before)) return undefined;
  // "warn" writes the document (MongoDB also logs a warning).
  if ((store.options.validationAction ?? "error") === "warn") return undefined;
  return new CommandError(ErrorCodes.DocumentValidationFailure, "Document failed validation", {
    errInfo: { failingDocumentId: doc._id, details: details(validator, doc) },
  });
}
