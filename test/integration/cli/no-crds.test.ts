// On a cluster without the Helios CRDs every command says so and how to install them (exit 1).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../hack/control-plane/index.js";
import { helios } from "./support.js";

let bare: ControlPlane;

beforeAll(async () => {
  bare = await startControlPlane();
});

afterAll(async () => {
  await bare.stop();
  await removeControlPlaneData(bare);
});

describe("a cluster without the Helios CRDs", () => {
  it("makes every command say the CRDs are not installed and how to install them", async () => {
    const commands = [["jobs"], ["jobs", "-A", "--watch"], ["agents", "-A"], ["status"], ["drain", "a"], ["uncordon", "a"], ["cancel", "j"], ["pause"], ["resume"]];
    for (const args of commands) {
      const out = await helios([...args, "--kubeconfig", bare.kubeconfigPath]);
      expect(out.code, args.join(" ")).toBe(1);
      expect(out.stderr, args.join(" ")).toMatch(/^helios: Helios CRDs are not installed in the cluster at https:\/\/127\.0\.0\.1:\d+: kubectl apply -f crds\//);
    }
  });
});
