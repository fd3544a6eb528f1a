// Errors the watcher itself raises (API failures are the client's ApiError classes).

/** No event and no bookmark arrived for `idleMs`: the connection is presumed dead and reopened. */
export class StaleWatchError extends Error {
  readonly code = "StaleWatch";
  readonly retryable = true;
  readonly idleMs: number;

  constructor(idleMs: number) {
    super(`no watch event or bookmark for ${idleMs} ms`);
    this.name = "StaleWatchError";
    this.idleMs = idleMs;
  }
}
