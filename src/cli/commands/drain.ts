// `helios drain AGENT`: sets spec.drain so the agent takes no new work while its running jobs finish.
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, setAgentDrain, type KubeFlags } from "../kube/index.js";
import { describeDrain } from "../output/index.js";

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("drain")
        .argument("<agent>", "name of the Agent")
        .description("stop giving an agent new work (sets spec.drain); its running jobs finish"),
      {},
    ).action(async (name: string, flags: KubeFlags) => {
      const target = connect(flags, ctx.env);
      ctx.stdout(describeDrain(await setAgentDrain(target, name, true), target.namespace, program.name()));
    });
  },
};
