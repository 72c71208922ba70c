/**
 * Waits for `promise` at most `ms` milliseconds: true when it settled (resolved or rejected) in time. Used
 * where a close must not hang on a service that does not answer (Redis commands wait for a reconnect
 * forever, as BullMQ's workers need).
 */
export async function settleWithin(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
