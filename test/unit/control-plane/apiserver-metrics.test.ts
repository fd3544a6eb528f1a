// Parsing the apiserver's request counters: sums over codes, diffs between scrapes, write verbs.
import { describe, expect, it } from "vitest";
import { diffRequestTotals, isWrite, parseRequestTotals } from "../../../hack/control-plane/apiserver-metrics.js";

const text = `# HELP apiserver_request_total x
apiserver_request_total{code="200",component="apiserver",dry_run="",group="helios.dev",resource="jobs",scope="resource",subresource="status",verb="PUT",version="v1alpha1"} 7
apiserver_request_total{code="409",component="apiserver",dry_run="",group="helios.dev",resource="jobs",scope="resource",subresource="status",verb="PUT",version="v1alpha1"} 2
apiserver_request_total{code="201",component="apiserver",dry_run="",group="helios.dev",resource="jobs",scope="resource",subresource="",verb="POST",version="v1alpha1"} 5
apiserver_request_total{code="200",component="apiserver",dry_run="",group="helios.dev",resource="jobs",scope="namespace",subresource="",verb="WATCH",version="v1alpha1"} 3
apiserver_request_duration_seconds_count{verb="PUT"} 99
`;

describe("apiserver request counters", () => {
  it("sums a resource/subresource/verb over response codes", () => {
    const totals = parseRequestTotals(text);
    expect(totals.find((c) => c.subresource === "status" && c.verb === "PUT")?.count).toBe(9);
    expect(totals.filter(isWrite).reduce((n, c) => n + c.count, 0)).toBe(14);
  });

  it("diffs two scrapes and drops what did not move", () => {
    const before = parseRequestTotals(text);
    const after = parseRequestTotals(text.replace("} 5", "} 8"));
    expect(diffRequestTotals(before, after)).toEqual([{ group: "helios.dev", resource: "jobs", subresource: "", verb: "POST", count: 3 }]);
  });
});
