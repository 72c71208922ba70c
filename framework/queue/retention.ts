import type { KeepJobs } from "bullmq";

/** Completed jobs BullMQ keeps (for `coco jobs`); older runs live on in sys.journal. */
export const KEEP_COMPLETED: KeepJobs = { age: 24 * 3600, count: 1_000 };

/** Failed jobs BullMQ keeps (for restart); older runs live on in sys.journal. */
export const KEEP_FAILED: KeepJobs = { age: 7 * 24 * 3600, count: 5_000 };
