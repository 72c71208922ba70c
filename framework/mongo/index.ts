export {
  type CollectionRef,
  type CollectionRefDefaults,
  CollectionRefError,
  parseCollectionRef,
  redactUri,
} from "./collection-ref.js";
export { MongoRegistry, type MongoRegistryOptions } from "./mongo-registry.js";
