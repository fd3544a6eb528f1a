// `helios cancel JOB`: sets spec.cancel; the operator cancels the job (and asks a running handler to stop).
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, requestJobCancel, type KubeFlags } from "../kube/index.js";
import { describeCancel } from "../output/index.js";

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program
        .command("cancel")
        .argument("<job>", "name of the Job")
        .description("request cancellation of a job (sets spec.cancel); the operator cancels it"),
      {},
    ).action(async (name: string, flags: KubeFlags) => {
      ctx.stdout(describeCancel(await requestJobCancel(connect(flags, ctx.env), name)));
    });
  },
};
