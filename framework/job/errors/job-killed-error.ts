/** Raised inside a job when it was killed (its `signal` carries this as the reason). The run ends `killed`. */
export class JobKilledError extends Error {
  override readonly name = "JobKilledError";
}
