// `helios operator`: runs the control plane (manager, leader election, metrics, probes, controllers).
import { hostname } from "node:os";
import { Option } from "commander";
import type { Command } from "commander";
import { CONTROLLERS, createOperatorContext, installOperator } from "../../controllers/index.js";
import { ConfigError, OPERATOR_FLAGS, resolveOperatorConfig } from "../../runtime/config/index.js";
import type { OperatorConfig, RawFlags } from "../../runtime/config/index.js";
import { Transport, type ClusterAccess } from "../../runtime/client/index.js";
import { registerControllerMetrics } from "../../runtime/controller/index.js";
import { loadCommandAccess } from "../access.js";
import { registerLeaderMetrics } from "../../runtime/leader/index.js";
import { createLogger } from "../../runtime/log/index.js";
import type { Logger } from "../../runtime/log/index.js";
import { Manager } from "../../runtime/manager/index.js";
import { delegatingMetricsGuard, selfSignedCertificate, shutdownSignal, type MetricsProtection } from "../../runtime/serving/index.js";
import { createRegistry } from "../../runtime/metrics/index.js";
import { registerQueueMetrics } from "../../runtime/queue/index.js";
import { CliExit, UsageError } from "../command.js";
import type { CliCommand, CliContext } from "../command.js";

function addFlags(cmd: Command): Command {
  for (const spec of OPERATOR_FLAGS) {
    const help = `${spec.description}${spec.default === undefined ? "" : ` (default: ${spec.default})`} [env ${spec.env}]`;
    if (spec.kind === "bool") {
      cmd.addOption(new Option(`--${spec.flag} [bool]`, help));
    } else if (spec.kind === "strings") {
      cmd.addOption(
        new Option(`--${spec.flag} <value>`, help).argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
      );
    } else {
      cmd.addOption(new Option(`--${spec.flag} <value>`, help));
    }
  }
  return cmd;
}

/** controller-runtime's secure metrics serving: a certificate made at start, reviews by the apiserver. */
function secureMetrics(kubeConfig: ClusterAccess, log: Logger): MetricsProtection {
  return {
    guard: delegatingMetricsGuard(new Transport(kubeConfig), { log }),
    tls: selfSignedCertificate("helios-operator-metrics", [hostname(), "localhost", "127.0.0.1", "::1"]),
  };
}

/**
 * Builds the manager for `config` with the shared informers and every controller of
 * `src/controllers` (CONTROLLERS) installed.
 */
export function buildOperator(config: OperatorConfig, kubeConfig: ClusterAccess, log: Logger): Manager {
  const registry = createRegistry();
  // Declared up front so /metrics lists the runtime families before the first reconcile.
  registerControllerMetrics(registry);
  registerQueueMetrics(registry);
  registerLeaderMetrics(registry);
  const manager = new Manager({
    registry,
    logger: log,
    metricsBindAddress: config.metricsBindAddress,
    healthProbeBindAddress: config.healthProbeBindAddress,
    ...(config.metricsSecure ? { metricsProtection: secureMetrics(kubeConfig, log) } : {}),
    gracefulShutdownTimeoutMs: config.gracefulShutdownTimeoutMs,
    ...(config.leaderElect
      ? {
          leaderElection: {
            kubeConfig,
            namespace: config.operatorNamespace,
            name: config.leaderElectionId,
            leaseDurationMs: config.leaseDurationMs,
            renewDeadlineMs: config.renewDeadlineMs,
            retryPeriodMs: config.retryPeriodMs,
          },
        }
      : {}),
  });
  installOperator(manager, createOperatorContext({ kubeConfig, config, log, registry }), CONTROLLERS);
  return manager;
}

async function runOperator(flags: RawFlags, ctx: CliContext): Promise<void> {
  let config: OperatorConfig;
  try {
    config = resolveOperatorConfig(flags, ctx.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  const loaded = await loadCommandAccess(config, ctx.env);
  const manager = buildOperator(config, loaded.access, log);
  log.info(
    {
      namespaces: config.namespaces.length === 0 ? "all" : config.namespaces,
      leaderElect: config.leaderElect,
      kubeconfig: loaded.source,
      ...(loaded.reason === undefined ? {} : { kubeconfigLoader: loaded.loader, kubeconfigLoaderReason: loaded.reason }),
    },
    "starting operator",
  );
  try {
    await manager.start(shutdownSignal(log));
  } catch (err) {
    log.error({ err }, "operator stopped with an error");
    throw new CliExit(1);
  }
  log.info("operator stopped");
}

export const command: CliCommand = {
  register(program, ctx) {
    addFlags(
      program
        .command("operator")
        .description("run the Helios operator (controllers, leader election, metrics and probes)"),
    ).action((flags: RawFlags) => runOperator(flags, ctx));
  },
};
