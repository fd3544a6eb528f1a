// createAgent refuses options that cannot work before it touches the cluster.
import { describe, expect, it } from "vitest";
import { AgentConfigError, builtinHandlers, createAgent, type AgentOptions } from "../../../src/agent/index.js";

const nowhere = { getCurrentCluster: () => ({ server: "https://127.0.0.1:1" }), applyToHTTPSOptions: () => Promise.resolve() };
const options: AgentOptions = { name: "w1", namespace: "team-a", handlers: builtinHandlers(), kubeConfig: nowhere };

describe("createAgent", () => {
  it("takes the Pod it runs in", () => {
    expect(createAgent({ ...options, pod: { name: "pool-7f9c.x2", uid: "0b6c-11ee" } }).name).toBe("w1");
  });

  it.each([
    [{ name: "Pool_1", uid: "u" }, "pod.name"],
    [{ name: "p", uid: " " }, "pod.uid"],
  ])("refuses the pod %j (%s)", (pod, option) => {
    let error: unknown;
    try {
      createAgent({ ...options, pod });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AgentConfigError);
    expect(error).toMatchObject({ option });
  });
});
