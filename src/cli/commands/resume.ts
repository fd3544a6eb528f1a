// `helios resume`: ends maintenance mode; turns off the helios-dispatch-paused control flag.
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, operatorNamespaceOption, setDispatchPaused, type KubeFlags } from "../kube/index.js";
import { describeDispatchState } from "../output/index.js";

interface ResumeFlags extends KubeFlags {
  readonly operatorNamespace: string;
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program.command("resume").description("end maintenance mode: assign pending jobs again (helios-dispatch-paused off)"),
      { namespace: false },
    )
      .addOption(operatorNamespaceOption(ctx.env))
      .action(async (flags: ResumeFlags) => {
        const outcome = await setDispatchPaused(connect(flags, ctx.env), flags.operatorNamespace, false);
        ctx.stdout(describeDispatchState(outcome, false, flags.operatorNamespace, program.name()));
      });
  },
};
