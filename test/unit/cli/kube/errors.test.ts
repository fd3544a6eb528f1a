// API failures become messages that say what failed and what to do next.
import { describe, expect, it } from "vitest";
import { CliError, explainApiError } from "../../../../src/cli/kube/index.js";
import { apiErrorFromResponse, NetworkError } from "../../../../src/runtime/client/index.js";

const target = { server: "https://127.0.0.1:6443", contextName: "local", userName: "admin" };
const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, ...(details ? { details } : {}) });

describe("explainApiError", () => {
  it("tells an unreachable cluster and how to start the local one", () => {
    const err = explainApiError(new NetworkError({ message: "connect ECONNREFUSED 127.0.0.1:6443" }), { verb: "list", resource: "jobs.helios.dev" }, target);
    expect(err).toBeInstanceOf(CliError);
    expect(err.message).toMatch(/^cannot reach the cluster at https:\/\/127\.0\.0\.1:6443 .*is it running\? .*`make cluster-up`/);
  });

  it("tells CRDs not installed (a bare 404) from an object not found (a NotFound Status)", () => {
    const missingCrd = apiErrorFromResponse(404, "404 page not found\n");
    expect(explainApiError(missingCrd, { verb: "list", resource: "jobs.helios.dev", namespace: "a" }, target).message).toMatch(
      /^Helios CRDs are not installed in the cluster at https:\/\/127\.0\.0\.1:6443: kubectl apply -f crds\//,
    );
    const missingJob = apiErrorFromResponse(404, status(404, "NotFound", 'jobs.helios.dev "x" not found', { name: "x", kind: "jobs", group: "helios.dev" }));
    expect(explainApiError(missingJob, { verb: "get", resource: "jobs.helios.dev", namespace: "a", name: "x" }, target).message).toBe(
      'job.helios.dev "x" not found in namespace "a"',
    );
    const missingNs = apiErrorFromResponse(404, status(404, "NotFound", 'namespaces "ops" not found', { name: "ops", kind: "namespaces" }));
    expect(explainApiError(missingNs, { verb: "create", resource: "featureflags.helios.dev", namespace: "ops", name: "f" }, target).message).toMatch(
      /^namespace "ops" not found/,
    );
  });

  it("names the verb, the resource and the user RBAC denied", () => {
    const denied = apiErrorFromResponse(
      403,
      status(403, "Forbidden", 'jobs.helios.dev is forbidden: User "bob" cannot list resource "jobs" in API group "helios.dev" at the cluster scope'),
    );
    const message = explainApiError(denied, { verb: "list", resource: "jobs.helios.dev" }, target).message;
    expect(message).toMatch(/^RBAC denied: user "bob" cannot list jobs\.helios\.dev across all namespaces\./);
    expect(message).toContain("narrow to one namespace with -n");
  });

  it("says the credentials were rejected on 401 and passes non-API errors through", () => {
    expect(explainApiError(apiErrorFromResponse(401, status(401, "Unauthorized", "Unauthorized")), { verb: "get", resource: "x" }, target).message).toMatch(
      /rejected the credentials of user "admin" \(context "local"\)/,
    );
    const bug = new TypeError("bug");
    expect(explainApiError(bug, { verb: "get", resource: "x" }, target)).toBe(bug);
  });
});
