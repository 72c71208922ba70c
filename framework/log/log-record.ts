import type { ObjectId } from "mongodb";
import type { PythonLevelName } from "./levels.js";

/** Context a logger carries into every record (see {@link Logger.child}). */
export interface LogBindings {
  /** Logger name, e.g. `coco.worker` or a job's qualified name. */
  name?: string;
  /** Job id or request id. */
  identifier?: string | null;
  /** Job name (qualified name). */
  qual_name?: string | null;
  /** API user the record is about or on behalf of. */
  user?: string | null;
}

/**
 * One document of `sys.log` (docs/contracts.md "Stored documents"): the fixed fields plus the caller's extra fields,
 * already made storable (errors serialized, secrets redacted).
 */
export interface LogRecord {
  /**
   * The record's id: the logger makes one, first in the document as MongoDB stores it; without one the
   * driver adds it when the record is first sent.
   */
  _id?: ObjectId;
  /** Time of the call (a Date, stored as UTC). */
  created: Date;
  /** Python level name: DEBUG, INFO, WARNING, ERROR, CRITICAL. */
  level: PythonLevelName;
  /** Python level number: 10, 20, 30, 40, 50. */
  levelno: number;
  message: string;
  /** Logger name. */
  name: string;
  hostname: string;
  pid: number;
  identifier: string | null;
  qual_name: string | null;
  user: string | null;
  /** Extra fields given with the call. */
  [extra: string]: unknown;
}
