// `helios pause`: maintenance mode; turns on the helios-dispatch-paused control flag (creating it if missing).
import type { CliCommand } from "../command.js";
import { addKubeOptions, connect, operatorNamespaceOption, setDispatchPaused, type KubeFlags } from "../kube/index.js";
import { describeDispatchState } from "../output/index.js";


interface PauseFlags extends KubeFlags {
  readonly operatorNamespace: string;
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(
      program.command("pause").description("maintenance mode: stop assigning new jobs (running ones continue) via the helios-dispatch-paused flag"),
      { namespace: false },
    )
      .addOption(operatorNamespaceOption(ctx.env))
      .action(async (flags: PauseFlags) => {
        const outcome = await setDispatchPaused(connect(flags, ctx.env), flags.operatorNamespace, true);
        ctx.stdout(describeDispatchState(outcome, true, flags.operatorNamespace, program.name()));
      });
  },
};
