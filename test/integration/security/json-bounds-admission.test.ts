// The chart's json-bounds policy (on by default) against the real apiserver: a Job's spec.payload and
// an agent-written status.result nested deeper than LIMITS.jsonDepth or larger than their byte limits
// are refused at admission with a message naming the limit, whoever writes them (kubectl here, not a
// Helios client, which checks the same bounds before sending). Bounds are inclusive: 32 levels and a
// payload just under 64 KiB pass.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the chart is installed without the policy and each
// refusal asserts that the write is then ACCEPTED.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_TYPE, LIMITS, type Job } from "../../../src/api/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { kubeConfig, kubectl, type CommandResult } from "../support/cluster.js";
import { expectPolicyRefusal, installRelease, policiesEnforced, uninstall, type Release } from "./support.js";

const jobs = new ResourceClient<Job>(new Transport(kubeConfig()), JOB_TYPE);
let release: Release;

/** `{"x":{"x":...}}`, `depth` objects deep, as JSON text (this process could not JSON.stringify 5 000 levels). */
const nestedJson = (depth: number): string => `${'{"x":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;
/** A payload whose JSON is exactly `bytes` long: `{"blob":"xxx..."}`. */
const payloadOfBytes = (bytes: number): string => JSON.stringify({ blob: "x".repeat(bytes - '{"blob":""}'.length) });

/** Creates a Job with kubectl (Go decodes JSON up to 10 000 levels deep); `dryRun` writes nothing. */
function createJob(name: string, payloadJson: string, dryRun = false): Promise<CommandResult> {
  const body = `{"apiVersion":"helios.dev/v1alpha1","kind":"Job","metadata":{"name":"${name}","namespace":"${release.tenant}"},"spec":{"type":"echo","payload":${payloadJson}}}`;
  return kubectl(["create", "-f", "-", ...(dryRun ? ["--dry-run=server"] : [])], { input: body });
}

/** PUTs the job's status with `resultJson` as status.result (as an agent reporting success would), as cluster admin. */
async function writeResult(name: string, resultJson: string): Promise<CommandResult> {
  const job = await jobs.get({ namespace: release.tenant, name });
  const status = JSON.stringify({ ...job.status, phase: "Running", result: "RESULT" }).replace('"RESULT"', resultJson);
  const body = JSON.stringify({ ...job, status: "STATUS" }).replace('"STATUS"', status);
  return kubectl(["replace", "--subresource=status", "-f", "-"], { input: body });
}

async function admitted(write: Promise<CommandResult>): Promise<void> {
  const res = await write;
  expect(res.code, res.stderr).toBe(0);
}

const TOO_DEEP = (field: string) => `${field} is nested deeper than ${LIMITS.jsonDepth} levels: pass large data by reference`;
const TOO_LARGE = (field: string, bytes: number) => new RegExp(`${field.replace(".", "\\.")} is larger than ${bytes / 1024} KiB of JSON \\(at least \\d+ bytes\\): pass large data by reference`);

beforeAll(async () => {
  release = await installRelease("json-bounds");
  await policiesEnforced({ "a payload 33 levels deep": () => createJob("probe", `{"a":${nestedJson(LIMITS.jsonDepth)}}`, true) });
}, 180_000);

afterAll(async () => {
  if (release) await uninstall(release);
});

describe("spec.payload is bounded at admission", () => {
  it("admits a normal payload, one 32 levels deep and one of 64 KiB of JSON", async () => {
    await admitted(createJob("normal", '{"message":"hello","n":[1,2.5,true,null]}'));
    await admitted(createJob("deep-32", nestedJson(LIMITS.jsonDepth)));
    await admitted(createJob("wide-32", `{"a":${nestedJson(LIMITS.jsonDepth - 1)},"b":[${nestedJson(LIMITS.jsonDepth - 2)}]}`));
    await admitted(createJob("size-64k", payloadOfBytes(LIMITS.payloadBytes)));
  });

  it("refuses a payload 33 levels deep, through an object or an array", async () => {
    await expectPolicyRefusal(createJob("deep-33", nestedJson(LIMITS.jsonDepth + 1)), TOO_DEEP("spec.payload"));
    await expectPolicyRefusal(createJob("deep-33-list", `{"a":[${nestedJson(LIMITS.jsonDepth - 1)}]}`), TOO_DEEP("spec.payload"));
  });

  it("refuses a payload 5 000 levels deep", async () => {
    await expectPolicyRefusal(createJob("deep-5000", nestedJson(5000)), TOO_DEEP("spec.payload"));
  });

  it("refuses a payload one byte over 64 KiB and one of 1 MB, of one string or of half a million numbers", async () => {
    await expectPolicyRefusal(createJob("size-64k-1", payloadOfBytes(LIMITS.payloadBytes + 1)), TOO_LARGE("spec.payload", LIMITS.payloadBytes));
    await expectPolicyRefusal(createJob("size-1m", payloadOfBytes(1024 * 1024)), TOO_LARGE("spec.payload", LIMITS.payloadBytes));
    const numbers = JSON.stringify(Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, Array.from({ length: 8000 }, () => 7)])));
    await expectPolicyRefusal(createJob("many-1m", numbers), TOO_LARGE("spec.payload", LIMITS.payloadBytes));
  });
});

describe("status.result is bounded at admission", () => {
  beforeAll(async () => {
    await admitted(createJob("reporting", "{}"));
  });

  it("admits a result 32 levels deep and one of 16 KiB of JSON", async () => {
    await admitted(writeResult("reporting", nestedJson(LIMITS.jsonDepth)));
    await admitted(writeResult("reporting", payloadOfBytes(LIMITS.resultBytes)));
  });

  it("refuses a result 33 or 5 000 levels deep", async () => {
    await expectPolicyRefusal(writeResult("reporting", nestedJson(LIMITS.jsonDepth + 1)), TOO_DEEP("status.result"));
    await expectPolicyRefusal(writeResult("reporting", nestedJson(5000)), TOO_DEEP("status.result"));
  });

  it("refuses a result one byte over 16 KiB", async () => {
    await expectPolicyRefusal(writeResult("reporting", payloadOfBytes(LIMITS.resultBytes + 1)), TOO_LARGE("status.result", LIMITS.resultBytes));
  });
});
