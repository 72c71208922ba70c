/** The JSON envelope of every JSON reply (docs/contracts.md "HTTP"). */
export interface Envelope<T = unknown> {
  /** Request id. */
  _id: string;
  /** HTTP status code. */
  code: number;
  /** HTTP reason phrase (`OK`, `Bad Request`, ...). */
  message: string;
  /** When the reply was made, ISO 8601. */
  timestamp: string;
  /** The payload (null for errors). */
  data: T;
  /** Errors only: one line a person can act on. */
  error?: string;
  /** Development only (NODE_ENV=development): the stack of an unexpected error. */
  traceback?: string;
}

/** Formats a data reply can take. */
export type ReplyFormat = "json" | "csv" | "html" | "text";
