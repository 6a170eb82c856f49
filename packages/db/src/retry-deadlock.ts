/**
 * Runs a transaction again when MySQL chose it as a deadlock victim. A victim was rolled back
 * whole, so running it again is safe; InnoDB's own advice is to do so. Other errors pass through.
 */
export async function retryDeadlock<T>(work: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (e) {
      if (attempt >= tries || (e as { code?: unknown }).code !== 'ER_LOCK_DEADLOCK') {
        throw e;
      }
    }
  }
}
