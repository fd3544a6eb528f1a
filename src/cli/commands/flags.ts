// `helios flags serve`: serves FeatureFlags over the OpenFeature Remote Evaluation Protocol (OFREP), so
// an application in any language evaluates them with its OFREP provider. Flags come from informers
// (no apiserver round trip per evaluation); callers are reviewed by the apiserver.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { z } from "zod";
import { serveOfrep, watchNamespaces, type ServedNamespaces } from "../../ofrep/index.js";
import { Transport, type ClusterAccess } from "../../runtime/client/index.js";
import { flagAttribute, flagEnv } from "../../runtime/config/index.js";
import { loadCommandAccess } from "../access.js";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../../runtime/log/index.js";
import {
  bindAddressSchema,
  closeServer,
  delegatingAccessReviewer,
  parseBindAddress,
  selfSignedCertificate,
  shutdownSignal,
  type BindAddress,
  type ServingCertificate,
} from "../../runtime/serving/index.js";
import { UsageError } from "../command.js";
import type { CliCommand, CliContext } from "../command.js";

export const DESCRIPTION = "serve FeatureFlags over OFREP (OpenFeature Remote Evaluation Protocol) to applications in any language";

/** The validated flags of `helios flags serve`. */
export interface FlagsServeConfig {
  readonly bindAddress: BindAddress;
  readonly namespaces: ServedNamespaces;
  /** Where the serving certificate comes from; none: plain HTTP. */
  readonly tls: { readonly kind: "none" } | { readonly kind: "self-signed" } | { readonly kind: "files"; readonly cert: string; readonly key: string };
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly logLevel: LogLevel;
}

interface FlagInfo {
  readonly flag: string;
  readonly arg: string;
  readonly help: string;
  readonly default?: string;
  /** Falls back to its HELIOS_<FLAG> env variable. */
  readonly env?: true;
}

const FLAGS = {
  bindAddress: { flag: "bind-address", arg: "<address>", help: "address of the OFREP endpoint, /healthz and /readyz", default: ":8016" },
  namespaces: {
    flag: "namespaces",
    arg: "<ns,...>",
    help: 'namespaces whose FeatureFlags are served, comma-separated, or "all"; env HELIOS_NAMESPACES',
    default: "all",
    env: true,
  },
  tlsCert: { flag: "tls-cert", arg: "<path>", help: "PEM serving certificate (with --tls-key); HTTPS" },
  tlsKey: { flag: "tls-key", arg: "<path>", help: "PEM private key of --tls-cert" },
  tlsSelfSigned: { flag: "tls-self-signed", arg: "[bool]", help: "HTTPS with a certificate made at start (clients must skip verification)", default: "false" },
  kubeconfig: { flag: "kubeconfig", arg: "<path>", help: "path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config or in-cluster)" },
  context: { flag: "context", arg: "<name>", help: "kubeconfig context to use (default: the current context)" },
  logLevel: { flag: "log-level", arg: "<level>", help: `log level: ${LOG_LEVELS.join(", ")}; env HELIOS_LOG_LEVEL`, default: "info", env: true },
} as const satisfies Record<string, FlagInfo>;

type FlagKey = keyof typeof FLAGS;

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const schema = z
  .object({
    bindAddress: bindAddressSchema.transform(parseBindAddress).pipe(z.custom<BindAddress>((v) => v !== undefined, { message: "expected host:port or :port" })),
    namespaces: z.string().transform((s, ctx): ServedNamespaces => {
      const list = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
      if (list.length === 0 || (list.length === 1 && list[0] === "all")) return "all";
      const bad = list.find((ns) => ns.length > 63 || !NAMESPACE.test(ns));
      if (bad !== undefined) ctx.addIssue({ code: "custom", message: `expected namespace names or "all", got "${bad}"` });
      return list;
    }),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    tlsSelfSigned: z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")]),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1, { message: "expected a context name" }).optional(),
    logLevel: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }),
  })
  .superRefine((c, ctx) => {
    if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) ctx.addIssue({ code: "custom", path: [c.tlsCert === undefined ? "tlsCert" : "tlsKey"], message: "give --tls-cert and --tls-key together" });
    if (c.tlsSelfSigned && c.tlsCert !== undefined) ctx.addIssue({ code: "custom", path: ["tlsSelfSigned"], message: "choose --tls-self-signed or --tls-cert/--tls-key, not both" });
  });

/**
 * Validates commander's raw values (keyed by camelCased flag name), falling back to HELIOS_* env
 * variables where a flag has one, then to defaults; throws UsageError naming every bad flag.
 */
export function parseFlagsServeFlags(raw: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>> = process.env): FlagsServeConfig {
  const input: Record<string, unknown> = {};
  for (const [key, info] of Object.entries(FLAGS) as [FlagKey, FlagInfo][]) {
    const fromEnv = info.env === true ? env[flagEnv(info.flag)] || undefined : undefined;
    // `--tls-self-signed` alone arrives as `true`.
    input[key] = raw[flagAttribute(info.flag)] ?? fromEnv ?? info.default;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((issue) => {
          const info: FlagInfo = FLAGS[String(issue.path[0] ?? "bindAddress") as FlagKey];
          return `invalid value ${JSON.stringify(input[String(issue.path[0])])} for --${info.flag}: ${issue.message}`;
        })
        .join("\n"),
    );
  }
  const c = parsed.data;
  const tls: FlagsServeConfig["tls"] =
    c.tlsCert !== undefined && c.tlsKey !== undefined ? { kind: "files", cert: c.tlsCert, key: c.tlsKey } : c.tlsSelfSigned ? { kind: "self-signed" } : { kind: "none" };
  return { bindAddress: c.bindAddress, namespaces: c.namespaces, tls, kubeconfig: c.kubeconfig, context: c.context, logLevel: c.logLevel };
}

function servingCertificate(tls: FlagsServeConfig["tls"]): ServingCertificate | undefined {
  switch (tls.kind) {
    case "none":
      return undefined;
    case "self-signed":
      return selfSignedCertificate("helios-flags", [hostname(), "localhost", "127.0.0.1", "::1"]);
    case "files":
      try {
        return { cert: readFileSync(tls.cert, "utf8"), key: readFileSync(tls.key, "utf8") };
      } catch (err) {
        throw new UsageError(`--tls-cert/--tls-key: ${err instanceof Error ? err.message : String(err)}`);
      }
  }
}

/** A running flags server: where it listens, and a promise that settles once it has stopped. */
export interface RunningFlagsServer {
  readonly address: AddressInfo;
  readonly stopped: Promise<void>;
}

/** Starts watching and serving; stops (server closed, informers ended) when `signal` aborts. */
export async function startFlagsServer(config: FlagsServeConfig, access: ClusterAccess, log: Logger, signal: AbortSignal): Promise<RunningFlagsServer> {
  const tls = servingCertificate(config.tls);
  const transport = new Transport(access);
  const watched = watchNamespaces(transport, config.namespaces, log);
  const reviewer = delegatingAccessReviewer(transport, { log, component: "ofrep" });
  const { server, address } = await serveOfrep({ store: watched.store, namespaces: config.namespaces, reviewer, ready: () => watched.synced(), log }, config.bindAddress, tls);
  const watching = watched.start(signal);
  const stopped = untilAborted(signal).then(async () => {
    await closeServer(server);
    await watching;
  });
  return { address, stopped };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

async function runServe(raw: Readonly<Record<string, unknown>>, ctx: CliContext): Promise<void> {
  const config = parseFlagsServeFlags(raw, ctx.env);
  const log = createLogger({ level: config.logLevel, base: { component: "flags-serve" } });
  const loaded = await loadCommandAccess(config, ctx.env);
  const running = await startFlagsServer(config, loaded.access, log, shutdownSignal(log));
  log.info(
    { address: `${running.address.address}:${running.address.port}`, namespaces: config.namespaces, tls: config.tls.kind, kubeconfig: loaded.source },
    "serving OFREP",
  );
  await running.stopped;
  log.info("flags server stopped");
}

export const command: CliCommand = {
  register(program: Command, ctx: CliContext) {
    const flags = program.command("flags").description(DESCRIPTION);
    const serve = flags.command("serve").description("serve OFREP: POST <base>/ofrep/v1/evaluate/flags[/<key>], base http(s)://host:port/namespaces/<ns>");
    for (const info of Object.values(FLAGS) as FlagInfo[]) {
      serve.option(`--${info.flag} ${info.arg}`, `${info.help}${info.default === undefined ? "" : ` (default: ${info.default})`}`);
    }
    serve.action((raw: Record<string, unknown>) => runServe(raw, ctx));
  },
};
