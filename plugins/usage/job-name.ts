/** Name of the aggregation job, its cookie `_id` in sys.cookie and its config overrides (`jobs.usage.AggregateLogins`). */
export const AGGREGATE_LOGINS = "usage.AggregateLogins";
