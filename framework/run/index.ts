/**
 * The run engine: runs a job (worker or inline), keeps its record and writes the journal.
 * @module
 */
export {
  JOB_STATES,
  type JobRecord,
  type JobState,
  type JournalEntry,
  journalRunId,
  recordOfEntry,
} from "./job-record.js";
export { JobRegistry } from "./job-registry.js";
export { journalEntry, type RunInput, type RunOutcome, type RunState, runJob } from "./job-run.js";
export { JournalWriter, type JournalWriterOptions } from "./journal-writer.js";
export { type InlineOptions, runInline } from "./run-inline.js";
export { isServiceOutage, OUTAGE_RETRY_MS } from "./service-outage.js";
