// Capped exponential backoff: the one formula every retry delay in Helios is computed by.

/** How delays grow with the attempt number, and how far they may spread. */
export interface ExponentialBackoff {
  /** The delay of attempt 0, before jitter. */
  readonly baseMs: number;
  /** No delay exceeds this, jitter included. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /**
   * Scales each delay by a factor drawn uniformly from [min, max), so that many clients do not retry in
   * step (e.g. `{ min: 1, max: 1.5 }` adds up to half). A jittered delay is a whole number of ms.
   * Default: no jitter, the delay is exact.
   */
  readonly jitter?: { readonly min: number; readonly max: number };
}

/**
 * The delay before retry `attempt` (0-based): min(maxMs, baseMs × factor^attempt), then jittered and
 * capped again. Guarantees: never above maxMs; without jitter (or with a fixed random draw) never
 * shorter for a later attempt; a huge attempt yields maxMs, not Infinity or NaN. `random` returns a
 * number in [0, 1).
 */
export function exponentialBackoff(policy: ExponentialBackoff): (attempt: number, random?: () => number) => number {
  const factor = policy.factor ?? 2;
  return (attempt, random = Math.random) => {
    // factor^attempt overflows to Infinity for a huge attempt, which Math.min turns into the cap.
    const ceiling = policy.baseMs === 0 ? 0 : Math.min(policy.maxMs, policy.baseMs * factor ** Math.max(0, attempt));
    if (policy.jitter === undefined) return ceiling;
    const { min, max } = policy.jitter;
    return Math.min(policy.maxMs, Math.round(ceiling * (min + (max - min) * random())));
  };
}
