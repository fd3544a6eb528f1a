// `helios dashboard`: serves the web dashboard. Locally (`--auth local`, the default) on 127.0.0.1,
// acting with the caller's kubeconfig and context (like kubectl proxy): it shows only what the caller
// may list and acts only as the caller. In a cluster (`--auth token|proxy`) it acts as each signed-in
// user with their own bearer token; its own identity only reviews tokens (see src/dashboard/server.ts).
import { isIP } from "node:net";
import { Option } from "commander";
import {
  DASHBOARD_AUTH_MODES,
  DashboardWatches,
  dashboardAssetsDir,
  startDashboardServer,
  UserViews,
  whoAmI,
  type DashboardAuthMode,
  type RunningDashboard,
  type SessionLimits,
} from "../../dashboard/index.js";
import { Transport } from "../../runtime/client/index.js";
import { DurationError, parseDuration } from "../../runtime/config/index.js";
import { KubeconfigError, loadClusterAccess, TlsAccess } from "../../runtime/kubeconfig/index.js";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../../runtime/log/index.js";
import { delegatingAuthenticator, shutdownSignal } from "../../runtime/serving/index.js";
import { UsageError, type CliCommand, type CliContext } from "../command.js";
import { addKubeOptions, CliError, connect, operatorNamespaceOption, type KubeFlags } from "../kube/index.js";

export const DESCRIPTION = "serve the web dashboard (queues, jobs, agents, flags, audit; live) on 127.0.0.1 with your kubeconfig's access, or in a cluster as each signed-in user";

interface DashboardFlags extends KubeFlags {
  readonly port: string;
  readonly address: string;
  readonly operatorNamespace: string;
  readonly logLevel: LogLevel;
  readonly auth: DashboardAuthMode;
  readonly allowedHost?: string[];
  readonly sessionIdle: string;
  readonly sessionMax: string;
}

/** Validated `--session-idle` and `--session-max` (Go durations, positive; idle at most max). */
export function parseSessionLimits(idle: string, max: string): SessionLimits {
  const parse = (flag: string, value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch (err) {
      if (err instanceof DurationError) throw new UsageError(`invalid value ${JSON.stringify(value)} for ${flag}: ${err.message}`);
      throw err;
    }
    if (ms <= 0) throw new UsageError(`invalid value ${JSON.stringify(value)} for ${flag}: expected a positive duration`);
    return ms;
  };
  const limits = { idleMs: parse("--session-idle", idle), maxMs: parse("--session-max", max) };
  if (limits.idleMs > limits.maxMs) throw new UsageError(`--session-idle (${idle}) is longer than --session-max (${max})`);
  return limits;
}

/** Validated `--allowed-host` values: `host:port` as the browser sends it in Host. */
export function parseAllowedHosts(values: readonly string[]): string[] {
  return values.map((value) => {
    if (!URL.canParse(`http://${value}`) || new URL(`http://${value}`).host !== value.toLowerCase()) {
      throw new UsageError(`invalid value ${JSON.stringify(value)} for --allowed-host: expected host or host:port, as in the browser's address bar`);
    }
    return value.toLowerCase();
  });
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
  const log = createLogger({ level: flags.logLevel, base: { component: "dashboard" } });
  if (flags.auth !== "local") return startClusterDashboard(flags, flags.auth, ctx, log, port, signal);
  const address = parseLoopbackAddress(flags.address);
  const target = connect(flags, ctx.env);
  const watches = new DashboardWatches(target.transport, target, { namespace: target.listNamespace, operatorNamespace: flags.operatorNamespace }, log);
  const [user] = await Promise.all([whoAmI(target.transport, target.userName), watches.start(signal)]);
  if (signal.aborted) return undefined;
  const running = await startDashboardServer({ watches, target, assetsDir: dashboardAssetsDir(), user, log }, address, port);
  signal.addEventListener("abort", () => void running.close(), { once: true });
  return running;
}

/**
 * `--auth token|proxy`: its own identity (the pod's ServiceAccount, or --kubeconfig) makes only
 * TokenReviews; users' requests go to the same cluster with their own bearer tokens.
 */
async function startClusterDashboard(flags: DashboardFlags, auth: "token" | "proxy", ctx: CliContext, log: Logger, port: number, signal: AbortSignal): Promise<RunningDashboard> {
  if (flags.as !== undefined) throw new UsageError(`--as cannot be used with --auth ${flags.auth}: the dashboard acts as each signed-in user`);
  if (flags.allNamespaces === true && flags.namespace !== undefined) throw new UsageError("--namespace and --all-namespaces cannot be used together");
  const sessions = parseSessionLimits(flags.sessionIdle, flags.sessionMax);
  const allowedHosts = parseAllowedHosts(flags.allowedHost ?? []);
  let loaded;
  try {
    loaded = await loadClusterAccess({ kubeconfig: flags.kubeconfig, context: flags.context, env: ctx.env });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new CliError(err.message, { cause: err });
    throw err;
  }
  const { access } = loaded;
  const server = access.getCurrentCluster()?.server;
  if (!(access instanceof TlsAccess) || server === undefined) {
    throw new CliError(`--auth ${flags.auth} needs the pod's ServiceAccount or a kubeconfig with a token or certificate (${loaded.source} uses ${loaded.reason ?? "another credential"}): users' tokens go to the same server with the same CA`);
  }
  const own = new Transport(access, { maxRetriesOn429: 2 });
  const views = new UserViews({ access, server, operatorNamespace: flags.operatorNamespace, log });
  log.info({ auth: flags.auth, identity: loaded.source, server }, "dashboard: acting as each user; its own identity only reviews tokens");
  const running = await startDashboardServer(
    {
      auth,
      views,
      authenticate: delegatingAuthenticator(own),
      namespace: flags.namespace,
      operatorNamespace: flags.operatorNamespace,
      allowedHosts,
      sessions,
      assetsDir: dashboardAssetsDir(),
      log,
    },
    flags.address,
    port,
  );
  signal.addEventListener("abort", () => void running.close(), { once: true });
  return running;
}

export const command: CliCommand = {
  register(program, ctx) {
    addKubeOptions(program.command("dashboard").description(DESCRIPTION), { allNamespaces: true })
      .addOption(operatorNamespaceOption(ctx.env))
      .addOption(new Option("--port <port>", "port to listen on (0: any free port)").default("8080"))
      .addOption(new Option("--address <address>", "address to listen on: loopback only with --auth local (the dashboard acts with your credentials)").default("127.0.0.1"))
      .addOption(new Option("--auth <mode>", "who the dashboard acts as: local (your kubeconfig), token (users sign in with a bearer token), proxy (an authenticating proxy sends Authorization: Bearer)").choices(DASHBOARD_AUTH_MODES).default("local"))
      .addOption(
        new Option("--allowed-host <host:port>", "with --auth token|proxy: a Host the dashboard is reached at (repeatable; default any)").argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]),
      )
      .addOption(new Option("--session-idle <duration>", "with --auth token|proxy: a session ends after this long without a request").default("30m"))
      .addOption(new Option("--session-max <duration>", "with --auth token|proxy: a session ends this long after sign-in").default("8h"))
      .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"))
      .action(async (flags: DashboardFlags) => {
        const signal = shutdownSignal();
        const running = await startDashboard(flags, ctx, signal);
        if (running === undefined) return;
        if (flags.auth === "local") {
          const scope = flags.allNamespaces === true ? "all namespaces" : `namespace ${connect(flags, ctx.env).namespace}`;
          ctx.stdout(`Helios dashboard: ${running.url} (${scope}; Ctrl-C stops)\n`);
        } else {
          ctx.stdout(`Helios dashboard: ${running.url} (--auth ${flags.auth}: as each signed-in user; Ctrl-C stops)\n`);
        }
        await new Promise<void>((resolve) => running.server.once("close", () => resolve()));
      });
  },
};
