// The provider's connection health, as flagd's providers report it: a pure state machine.
//
// Rules: READY while every watch is connected. The first watch lost makes the provider STALE and
// starts the grace timer; the timer expiring while still disconnected makes it ERROR. When the last
// lost watch is back, the provider is READY again (from STALE or ERROR) and the timer is cancelled.
// The shell feeds inputs, runs the outputs (emit an event, arm or cancel the timer) and serves the
// cached flags throughout.

export type ProviderHealthStatus = "ready" | "stale" | "error";

export interface ProviderHealth {
  readonly status: ProviderHealthStatus;
  /** The watches (by source name) currently disconnected. */
  readonly lost: ReadonlySet<string>;
}

export type ProviderHealthInput =
  | { readonly type: "watchLost"; readonly source: string }
  | { readonly type: "watchRecovered"; readonly source: string }
  /** The grace timer armed on going stale fired. */
  | { readonly type: "graceExpired" };

export type ProviderHealthOutput =
  | { readonly type: "emit"; readonly status: ProviderHealthStatus }
  | { readonly type: "armGrace" }
  | { readonly type: "cancelGrace" };

export const INITIAL_PROVIDER_HEALTH: ProviderHealth = { status: "ready", lost: new Set() };

export function nextProviderHealth(health: ProviderHealth, input: ProviderHealthInput): { health: ProviderHealth; outputs: ProviderHealthOutput[] } {
  switch (input.type) {
    case "watchLost": {
      if (health.lost.has(input.source)) return { health, outputs: [] };
      const lost = new Set([...health.lost, input.source]);
      if (health.status !== "ready") return { health: { status: health.status, lost }, outputs: [] };
      return { health: { status: "stale", lost }, outputs: [{ type: "emit", status: "stale" }, { type: "armGrace" }] };
    }
    case "watchRecovered": {
      if (!health.lost.has(input.source)) return { health, outputs: [] };
      const lost = new Set([...health.lost].filter((source) => source !== input.source));
      if (lost.size > 0) return { health: { status: health.status, lost }, outputs: [] };
      const outputs: ProviderHealthOutput[] = health.status === "stale" ? [{ type: "cancelGrace" }] : [];
      return { health: { status: "ready", lost }, outputs: [...outputs, { type: "emit", status: "ready" }] };
    }
    case "graceExpired":
      if (health.status !== "stale") return { health, outputs: [] };
      return { health: { status: "error", lost: health.lost }, outputs: [{ type: "emit", status: "error" }] };
  }
}
