// After a failed watch: re-watch from the same version only when the failure said nothing about it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GoneError, InternalError, NetworkError, TimeoutError, TooManyRequestsError, UnavailableError, ForbiddenError } from "../../../../src/runtime/client/index.js";
import { MAX_REWATCHES_WITHOUT_PROGRESS, recoveryAfterWatchFailure, StaleWatchError } from "../../../../src/runtime/watch/index.js";

const status = (code: number, reason: string) => ({ message: `${reason} happened`, status: code, reason });

describe("recoveryAfterWatchFailure", () => {
  it("re-watches after failures that say nothing about the version", () => {
    for (const error of [
      new NetworkError(status(0, "Network")),
      new TimeoutError(status(504, "Timeout")),
      new TooManyRequestsError(status(429, "TooManyRequests")),
      new UnavailableError(status(503, "ServiceUnavailable")),
      new StaleWatchError(180_000),
      new Error("socket hang up"),
    ]) {
      expect(recoveryAfterWatchFailure(error, 1), String(error)).toBe("rewatch");
    }
  });

  it("relists when the server refused the watch: the same request would fail the same way", () => {
    const prevKvNil = new InternalError(status(500, "InternalError"));
    expect(recoveryAfterWatchFailure(prevKvNil, 1)).toBe("relist");
    expect(recoveryAfterWatchFailure(new ForbiddenError(status(403, "Forbidden")), 1)).toBe("relist");
    expect(recoveryAfterWatchFailure(new GoneError(status(410, "Expired")), 1)).toBe("relist");
  });

  it("relists after a run of failures without progress, whatever the cause", () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_REWATCHES_WITHOUT_PROGRESS, max: 1_000 }), (failures) => {
        expect(recoveryAfterWatchFailure(new NetworkError(status(0, "Network")), failures)).toBe("relist");
      }),
    );
  });
});
