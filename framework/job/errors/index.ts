/** Errors of the job framework. Each names what was wrong so that a person can act on the one line it prints. */
export { JobArgumentError } from "./job-argument-error.js";
export { JobDeferredError } from "./job-deferred-error.js";
export { JobDefinitionError } from "./job-definition-error.js";
export { JobExistsError } from "./job-exists-error.js";
export { JobKilledError } from "./job-killed-error.js";
export { JobNotFoundError } from "./job-not-found-error.js";
export { JobRunError } from "./job-run-error.js";
export { JobStateError } from "./job-state-error.js";
export { SourceNotSetError } from "./source-not-set-error.js";
export { UnknownJobError } from "./unknown-job-error.js";
export { WallTimeExceededError } from "./wall-time-exceeded-error.js";
export { WorkerShutdownError } from "./worker-shutdown-error.js";
