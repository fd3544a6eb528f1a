// `helios uncordon AGENT`: clears spec.drain so the agent takes new work again.
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, setAgentDrain, type KubeFlags } from "../kube/index.js";
import { describeUncordon } from "../output/index.js";

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("uncordon")
        .argument("<agent>", "name of the Agent")
        .description("let a drained agent take new work again (clears spec.drain)"),
      {},
    ).action(async (name: string, flags: KubeFlags) => {
      ctx.stdout(describeUncordon(await setAgentDrain(connect(flags, ctx.env), name, false)));
    });
  },
};
