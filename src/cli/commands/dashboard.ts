// `helios dashboard`: serves the web dashboard on 127.0.0.1, acting with the caller's kubeconfig and
// context (like kubectl proxy): it shows only what the caller may list and acts only as the caller.
import { isIP } from "node:net";
import { Option } from "commander";
import { DashboardWatches, dashboardAssetsDir, startDashboardServer, whoAmI, type RunningDashboard } from "../../dashboard/index.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../../runtime/log/index.js";
import { shutdownSignal } from "../../runtime/serving/index.js";
import { UsageError, type CliCommand, type CliContext } from "../command.js";
import { addKubeOptions, connect, operatorNamespaceOption, type KubeFlags } from "../kube/index.js";

export const DESCRIPTION = "serve the web dashboard (queues, jobs, agents, flags, audit; live) on 127.0.0.1 with your kubeconfig's access";

interface DashboardFlags extends KubeFlags {
  readonly port: string;
  readonly address: string;
  readonly operatorNamespace: string;
  readonly logLevel: LogLevel;
}

/** Validated `--port`: 0 picks a free port. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65_535) throw new UsageError(`invalid value ${JSON.stringify(value)} for --port: expected 0-65535`);
  return port;
}

/**
 * Validated `--address`: a loopback address only. The dashboard acts with the caller's credentials,
 * and its Host, Origin and CSRF checks stop browsers, not scripts: anyone who reaches it acts as you.
 */
export function parseLoopbackAddress(value: string): string {
  const loopback = value === "localhost" || (isIP(value) === 4 && value.startsWith("127.")) || value === "::1";
  if (!loopback) throw new UsageError(`invalid value ${JSON.stringify(value)} for --address: the dashboard acts with your credentials, so it listens on loopback only (127.0.0.1, ::1 or localhost); reach it from elsewhere through an SSH tunnel`);
  return value;
}

/** Starts watching and serving; the returned dashboard stops when `signal` aborts, or is undefined when it aborted first. */
export async function startDashboard(flags: DashboardFlags, ctx: CliContext, signal: AbortSignal): Promise<RunningDashboard | undefined> {
  const port = parsePort(flags.port);
  const address = parseLoopbackAddress(flags.address);
  const target = connect(flags, ctx.env);
  const log = createLogger({ level: flags.logLevel, base: { component: "dashboard" } });
  const watches = new DashboardWatches(target.transport, target, { namespace: target.listNamespace, operatorNamespace: flags.operatorNamespace }, log);
  const [user] = await Promise.all([whoAmI(target.transport, target.userName), watches.start(signal)]);
  if (signal.aborted) return undefined;
  const running = await startDashboardServer({ watches, target, assetsDir: dashboardAssetsDir(), user, log }, address, port);
  signal.addEventListener("abort", () => void running.close(), { once: true });
  return running;
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(program.command("dashboard").description(DESCRIPTION), { allNamespaces: true })
      .addOption(operatorNamespaceOption(ctx.env))
      .addOption(new Option("--port <port>", "port to listen on (0: any free port)").default("8080"))
      .addOption(new Option("--address <address>", "loopback address to listen on (127.0.0.1, ::1 or localhost): the dashboard acts with your credentials").default("127.0.0.1"))
      .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"))
      .action(async (flags: DashboardFlags) => {
        const signal = shutdownSignal();
        const running = await startDashboard(flags, ctx, signal);
        if (running === undefined) return;
        const scope = flags.allNamespaces === true ? "all namespaces" : `namespace ${connect(flags, ctx.env).namespace}`;
        ctx.stdout(`Helios dashboard: ${running.url} (${scope}; Ctrl-C stops)\n`);
        await new Promise<void>((resolve) => running.server.once("close", () => resolve()));
      });
  },
};
