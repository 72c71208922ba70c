export {
  type CollectionRef,
  type CollectionRefDefaults,
  CollectionRefError,
  parseCollectionRef,
  redactUri,
} from "./collection-ref.js";
export { MongoRegistry, type MongoRegistryOptions } from "./mongo-registry.js";
export {
  type DocumentWriteError,
  DUPLICATE_KEY,
  documentWriteErrors,
  isDuplicateKeyError,
  isUnreachable,
  RETRYABLE_WRITE_CODES,
} from "./write-errors.js";
