import type { Collection, Document, ObjectId } from "mongodb";

/** One `sys.log` record of a job, as the job log API and `coco logs` return it (without `_id`). */
export interface JobLogRecord {
  created: Date;
  level: string;
  levelno: number;
  message: string;
  name: string;
  hostname: string;
  pid: number;
  identifier: string | null;
  qual_name: string | null;
  user: string | null;
  [extra: string]: unknown;
}

/** Where a read of a job's log continues: after this time, skipping the records already seen at it. */
export interface JobLogCursor {
  created: Date;
  /** `_id`s (hex) of the records at `created` already returned. */
  seen: string[];
}

/** Options of {@link JobLog.read}. */
export interface JobLogReadOptions {
  /** Only records after this point (see {@link JobLogCursor}); a Date means strictly after it. */
  after?: JobLogCursor | Date;
  /** Most records returned (default 1000). */
  limit?: number;
}

/** A page of a job's log records, oldest first, and where the next read continues. */
export interface JobLogPage {
  records: JobLogRecord[];
  cursor: JobLogCursor | undefined;
}

/** Columns of the job log as a table (CSV, HTML, text). */
export const JOB_LOG_COLUMNS = ["created", "level", "message", "name", "hostname", "pid"] as const;

/**
 * Reads the log records of one job from `sys.log` (`identifier` = job id: the worker's per-run records and
 * the job's own), oldest first, through the index `{identifier: 1, created: 1}`.
 */
export class JobLog {
  constructor(private readonly log: Collection<Document>) {}

  /** Creates the index the reads use (idempotent). */
  async ensureIndex(): Promise<void> {
    await this.log.createIndex({ identifier: 1, created: 1 });
  }

  /** A page of the job's records, oldest first. */
  async read(jobId: string, options: JobLogReadOptions = {}): Promise<JobLogPage> {
    const limit = options.limit ?? 1_000;
    const after = options.after;
    const filter: Document = { identifier: jobId };
    let seen = new Set<string>();
    if (after instanceof Date) filter.created = { $gt: after };
    else if (after) {
      filter.created = { $gte: after.created };
      seen = new Set(after.seen);
    }
    const docs = await this.log
      .find(filter, { sort: { created: 1, _id: 1 }, limit: limit + seen.size })
      .toArray();
    const fresh = docs.filter((d) => !seen.has(String(d._id))).slice(0, limit);
    const records = fresh.map(({ _id, ...record }) => record as JobLogRecord);
    const last = fresh.at(-1);
    let cursor: JobLogCursor | undefined;
    if (last) {
      const created = last.created as Date;
      const sameTime = fresh.filter((d) => (d.created as Date).getTime() === created.getTime());
      const carried =
        after && !(after instanceof Date) && after.created.getTime() === created.getTime() ? after.seen : [];
      cursor = { created, seen: [...carried, ...sameTime.map((d) => String(d._id as ObjectId))] };
    } else if (after && !(after instanceof Date)) cursor = after;
    return { records, cursor };
  }
}
