// Server-side filters and paging of the jobs table, and the pure specs behind the actions.
import { describe, expect, it } from "vitest";
import { featureFlagSpecSchema, type Job } from "../../../src/api/index.js";
import { jobPage, killSwitchSpec, numberFlagSpec, parseAction, parseJobQuery, retryJobBody } from "../../../src/dashboard/index.js";

function job(name: string, extra: { namespace?: string; type?: string; priority?: "low" | "normal" | "high"; phase?: "Pending" | "Running"; agent?: string; labels?: Record<string, string>; created?: string } = {}): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace: extra.namespace ?? "a", creationTimestamp: extra.created ?? "2026-12-07T12:00:00Z", ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { type: extra.type ?? "echo", priority: extra.priority ?? "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    ...(extra.phase === undefined ? {} : { status: { phase: extra.phase, ...(extra.agent ? { assignedAgent: extra.agent } : {}) } }),
  };
}

const errorOf = (result: object): string | undefined => ("error" in result && typeof result.error === "string" ? result.error : undefined);

const query = (q: string) => {
  const parsed = parseJobQuery(new URLSearchParams(q));
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
};

describe("parseJobQuery", () => {
  it("reads filters and paging, capping the page size", () => {
    expect(query("namespace=a&phase=Running&priority=high&label=team%3Dx&offset=10&limit=99999")).toEqual({
      filter: { namespace: "a", phase: "Running", type: undefined, priority: "high", agent: undefined, label: "team=x" },
      offset: 10,
      limit: 2000,
    });
  });

  it("names the bad parameter", () => {
    expect(errorOf(parseJobQuery(new URLSearchParams("priority=urgent")))).toContain("priority");
    expect(errorOf(parseJobQuery(new URLSearchParams("label=nokey")))).toContain("label");
    expect(errorOf(parseJobQuery(new URLSearchParams("offset=-1")))).toContain("offset");
  });
});

describe("jobPage", () => {
  const jobs = [
    job("old", { created: "2026-12-07T10:00:00Z" }),
    job("new", { created: "2026-12-07T12:00:00Z", type: "sleep", phase: "Running", agent: "w1", labels: { team: "x" } }),
    job("b", { namespace: "b", priority: "high" }),
  ];

  it("filters on every given field (no status reads as Pending)", () => {
    expect(jobPage(jobs, query("phase=Pending"), 0).items.map((v) => v.name)).toEqual(["b", "old"]);
    expect(jobPage(jobs, query("agent=w1&type=sleep&label=team=x"), 0).items.map((v) => v.name)).toEqual(["new"]);
    expect(jobPage(jobs, query("namespace=b&priority=high"), 0).items.map((v) => v.name)).toEqual(["b"]);
    expect(jobPage(jobs, query("label=team=y"), 0).total).toBe(0);
  });

  it("pages newest first and reports the total", () => {
    const many = Array.from({ length: 25 }, (_, i) => job(`j${i}`, { created: new Date(Date.parse("2026-12-07T12:00:00Z") + i * 1000).toISOString() }));
    const page = jobPage(many, query("offset=5&limit=10"), 0);
    expect(page.total).toBe(25);
    expect(page.items.map((v) => v.name)).toEqual(["j19", "j18", "j17", "j16", "j15", "j14", "j13", "j12", "j11", "j10"]);
  });
});

describe("actions", () => {
  it("validates posted bodies with zod, naming what is wrong", () => {
    expect(parseAction({ action: "cancel-job", namespace: "a", name: "j" })).toEqual({ action: { action: "cancel-job", namespace: "a", name: "j" } });
    expect(errorOf(parseAction({ action: "set-number-flag", key: "helios-dispatch-delay-ms", value: -1 }))).toContain("value");
    expect(errorOf(parseAction({ action: "delete-everything" }))).toBeDefined();
    expect(errorOf(parseAction({ action: "edit-feature-flag", namespace: "a", name: "f", spec: { state: "ENABLED", variants: { on: true }, defaultVariant: "missing" } }))).toBeDefined();
  });

  it("a retry is a new job with the same spec and labels, without cancel, named after the original", () => {
    const original = { ...job("report", { labels: { team: "x" } }), spec: { ...job("report").spec, cancel: true } } as Job;
    const retry = retryJobBody(original);
    expect(retry.metadata).toMatchObject({ generateName: "report-retry-", namespace: "a", labels: { team: "x" } });
    expect(retry.metadata.name).toBeUndefined();
    expect(retry.spec.cancel).toBeUndefined();
    expect(retry.spec.type).toBe("echo");
  });

  it("the kill switch targets the given job types, and is off without any", () => {
    const on = killSwitchSpec(["report.generate"]);
    expect(on).toMatchObject({ state: "ENABLED", defaultVariant: "off", targeting: { if: [{ in: [{ var: "jobType" }, ["report.generate"]] }, "on", "off"] } });
    expect(killSwitchSpec([]).state).toBe("DISABLED");
    expect(featureFlagSpecSchema.safeParse(numberFlagSpec(5)).success).toBe(true);
    expect(numberFlagSpec(null).state).toBe("DISABLED");
  });
});
