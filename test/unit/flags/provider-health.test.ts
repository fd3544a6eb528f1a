// Unit tests of the provider-health state machine: every transition, and invariants over any sequence.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  INITIAL_PROVIDER_HEALTH,
  nextProviderHealth,
  type ProviderHealth,
  type ProviderHealthInput,
  type ProviderHealthOutput,
  type ProviderHealthStatus,
} from "../../../src/flags/provider-health.js";

const FLAGS = "informer/featureflags/app";
const SETS = "informer/featureflagsets/app";

function health(status: ProviderHealthStatus, ...lost: string[]): ProviderHealth {
  return { status, lost: new Set(lost) };
}

function step(from: ProviderHealth, input: ProviderHealthInput): { health: ProviderHealth; outputs: ProviderHealthOutput[] } {
  return nextProviderHealth(from, input);
}

const lost = (source: string): ProviderHealthInput => ({ type: "watchLost", source });
const recovered = (source: string): ProviderHealthInput => ({ type: "watchRecovered", source });
const expired: ProviderHealthInput = { type: "graceExpired" };

describe("nextProviderHealth", () => {
  it("starts ready with nothing lost", () => {
    expect(INITIAL_PROVIDER_HEALTH).toEqual(health("ready"));
  });

  describe("from ready", () => {
    it("goes stale on the first lost watch, emitting STALE and arming the grace timer", () => {
      expect(step(health("ready"), lost(FLAGS))).toEqual({ health: health("stale", FLAGS), outputs: [{ type: "emit", status: "stale" }, { type: "armGrace" }] });
    });
    it("ignores a recovery of a watch that was not lost", () => {
      expect(step(health("ready"), recovered(FLAGS))).toEqual({ health: health("ready"), outputs: [] });
    });
    it("ignores a grace timer that fired late", () => {
      expect(step(health("ready"), expired)).toEqual({ health: health("ready"), outputs: [] });
    });
  });

  describe("from stale", () => {
    it("records another lost watch silently", () => {
      expect(step(health("stale", FLAGS), lost(SETS))).toEqual({ health: health("stale", FLAGS, SETS), outputs: [] });
    });
    it("ignores the same watch lost again", () => {
      expect(step(health("stale", FLAGS), lost(FLAGS))).toEqual({ health: health("stale", FLAGS), outputs: [] });
    });
    it("stays stale while another watch is still lost", () => {
      expect(step(health("stale", FLAGS, SETS), recovered(FLAGS))).toEqual({ health: health("stale", SETS), outputs: [] });
    });
    it("is ready again when the last lost watch is back, cancelling the timer and emitting READY", () => {
      expect(step(health("stale", FLAGS), recovered(FLAGS))).toEqual({ health: health("ready"), outputs: [{ type: "cancelGrace" }, { type: "emit", status: "ready" }] });
    });
    it("ignores a recovery of a watch that was not lost", () => {
      expect(step(health("stale", FLAGS), recovered(SETS))).toEqual({ health: health("stale", FLAGS), outputs: [] });
    });
    it("goes to error when the grace expires, emitting ERROR", () => {
      expect(step(health("stale", FLAGS), expired)).toEqual({ health: health("error", FLAGS), outputs: [{ type: "emit", status: "error" }] });
    });
  });

  describe("from error", () => {
    it("records another lost watch silently", () => {
      expect(step(health("error", FLAGS), lost(SETS))).toEqual({ health: health("error", FLAGS, SETS), outputs: [] });
    });
    it("stays in error while another watch is still lost", () => {
      expect(step(health("error", FLAGS, SETS), recovered(SETS))).toEqual({ health: health("error", FLAGS), outputs: [] });
    });
    it("is ready again when the last lost watch is back, emitting READY (no timer to cancel)", () => {
      expect(step(health("error", FLAGS), recovered(FLAGS))).toEqual({ health: health("ready"), outputs: [{ type: "emit", status: "ready" }] });
    });
    it("ignores a second expiry", () => {
      expect(step(health("error", FLAGS), expired)).toEqual({ health: health("error", FLAGS), outputs: [] });
    });
  });

  it("over any sequence: ready exactly when nothing is lost, events only on a status change, the timer armed only while stale", () => {
    const input = fc.oneof(
      fc.constantFrom(FLAGS, SETS).map(lost),
      fc.constantFrom(FLAGS, SETS).map(recovered),
      fc.constant(expired),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let current = INITIAL_PROVIDER_HEALTH;
        let timerArmed = false;
        for (const i of inputs) {
          const { health: next, outputs } = nextProviderHealth(current, i);
          expect(next.status === "ready").toBe(next.lost.size === 0);
          const emitted = outputs.filter((o) => o.type === "emit").map((o) => o.status);
          expect(emitted).toEqual(next.status === current.status ? [] : [next.status]);
          for (const o of outputs) {
            if (o.type === "armGrace") timerArmed = true;
            if (o.type === "cancelGrace") timerArmed = false;
          }
          if (next.status === "stale") expect(timerArmed).toBe(true);
          if (next.status === "ready") expect(timerArmed).toBe(false);
          // After an expiry the timer has fired: the shell treats it as spent.
          if (i.type === "graceExpired") timerArmed = false;
          current = next;
        }
      }),
    );
  });
});
