import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idempotentName } from "../../../src/client/index.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("idempotentName", () => {
  it("keeps the key readable and adds its hash", () => {
    expect(idempotentName("order-1234")).toMatch(/^order-1234-[0-9a-f]{16}$/);
    expect(idempotentName("Invoice #42 / EU")).toMatch(/^invoice-42-eu-[0-9a-f]{16}$/);
    expect(idempotentName("***")).toMatch(/^job-[0-9a-f]{16}$/);
  });

  it("is a valid, short object name for any key, the same every time, and different for keys that read alike", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300 }), (key) => {
        const name = idempotentName(key);
        expect(name).toMatch(DNS_SUBDOMAIN);
        expect(name.length).toBeLessThanOrEqual(57);
        expect(idempotentName(key)).toBe(name);
      }),
    );
    expect(idempotentName("Order-1")).not.toBe(idempotentName("order-1"));
  });
});
