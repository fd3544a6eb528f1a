// Kubeconfig files read without client-node: merged like kubectl, resolved to one context's cluster and user.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { KubeconfigError } from "./errors.js";
import { TlsAccess } from "./tls-access.js";

const CLUSTER = z.looseObject({
  server: z.string().optional(),
  "certificate-authority": z.string().optional(),
  "certificate-authority-data": z.string().optional(),
  "insecure-skip-tls-verify": z.boolean().optional(),
  "tls-server-name": z.string().optional(),
  "proxy-url": z.string().optional(),
});
const USER = z.looseObject({
  "client-certificate": z.string().optional(),
  "client-certificate-data": z.string().optional(),
  "client-key": z.string().optional(),
  "client-key-data": z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
});
const CONTEXT = z.looseObject({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() });
const FILE = z.looseObject({
  clusters: z.array(z.looseObject({ name: z.string(), cluster: CLUSTER.nullish() })).nullish(),
  users: z.array(z.looseObject({ name: z.string(), user: USER.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name: z.string(), context: CONTEXT.nullish() })).nullish(),
  "current-context": z.string().nullish(),
});

type Cluster = z.infer<typeof CLUSTER>;
type User = z.infer<typeof USER>;
type Context = z.infer<typeof CONTEXT>;

/** User fields the light path implements; any other set field (exec, auth-provider, username, as, ...) needs client-node. */
const LIGHT_USER_FIELDS = new Set(["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token", "tokenFile"]);

/** An entry with the directory of the file that defined it: relative paths in it are relative to that file. */
interface Entry<T> {
  readonly value: T;
  readonly dir: string;
}

interface Merged {
  readonly clusters: Map<string, Entry<Cluster>>;
  readonly users: Map<string, Entry<User>>;
  readonly contexts: Map<string, Entry<Context>>;
  readonly currentContext: string;
}

/**
 * What `files` give for `context` (default: the current one): light access, or why client-node must
 * do it; and the context's namespace, if it names one.
 */
export type FileAccess = ({ readonly kind: "light"; readonly access: TlsAccess } | { readonly kind: "needsClientNode"; readonly reason: string }) & {
  readonly namespace?: string;
};

/**
 * Reads and merges `files` (the first file to name a cluster, user or context wins, as kubectl does)
 * and builds access for the selected context.
 * @throws KubeconfigError for unreadable or malformed files, an unknown context or cluster.
 */
export function accessFromFiles(files: readonly string[], context?: string): FileAccess {
  const merged = mergeFiles(files);
  const where = files.join(", ");
  const contextName = context ?? merged.currentContext;
  if (contextName === "") throw new KubeconfigError(`the kubeconfig (${where}) has no current context`);
  const ctx = merged.contexts.get(contextName);
  if (ctx === undefined) throw new KubeconfigError(`no context named ${JSON.stringify(contextName)} in ${where}`, { flag: "--context" });
  const cluster = merged.clusters.get(ctx.value.cluster);
  if (cluster === undefined) throw new KubeconfigError(`context ${JSON.stringify(contextName)} names cluster ${JSON.stringify(ctx.value.cluster)}, which ${where} does not define`);
  // A context without a known user is anonymous, as in client-go.
  const user = ctx.value.user === undefined ? undefined : merged.users.get(ctx.value.user);
  const namespace = ctx.value.namespace === undefined || ctx.value.namespace === "" ? {} : { namespace: ctx.value.namespace };
  const heavy = user === undefined ? [] : Object.keys(user.value).filter((k) => !LIGHT_USER_FIELDS.has(k) && isSet(user.value[k]));
  if (heavy.length > 0) return { kind: "needsClientNode", reason: `user ${JSON.stringify(ctx.value.user)} uses ${heavy.join(", ")}`, ...namespace };
  if (cluster.value["proxy-url"] !== undefined) return { kind: "needsClientNode", reason: `cluster ${JSON.stringify(ctx.value.cluster)} uses proxy-url`, ...namespace };
  const server = cluster.value.server;
  if (server === undefined || server === "") throw new KubeconfigError(`cluster ${JSON.stringify(ctx.value.cluster)} in ${where} has no server`);
  const c = cluster.value;
  const u = user?.value ?? {};
  const userDir = user?.dir ?? cluster.dir;
  return {
    kind: "light",
    ...namespace,
    access: new TlsAccess({
      server,
      ca: material(c["certificate-authority-data"], c["certificate-authority"], cluster.dir),
      cert: material(u["client-certificate-data"], u["client-certificate"], userDir),
      key: material(u["client-key-data"], u["client-key"], userDir),
      insecureSkipTlsVerify: c["insecure-skip-tls-verify"],
      tlsServerName: c["tls-server-name"],
      // client-go: an inline token wins over tokenFile.
      token: u.token === "" ? undefined : u.token,
      tokenFile: u.tokenFile === undefined || u.tokenFile === "" ? undefined : absolute(u.tokenFile, userDir),
    }),
  };
}

function mergeFiles(files: readonly string[]): Merged {
  const clusters = new Map<string, Entry<Cluster>>();
  const users = new Map<string, Entry<User>>();
  const contexts = new Map<string, Entry<Context>>();
  let currentContext = "";
  for (const file of files) {
    const dir = dirname(resolve(file));
    const parsed = FILE.safeParse(readYaml(file) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new KubeconfigError(`kubeconfig ${file} is malformed at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? parsed.error.message}`);
    }
    const doc = parsed.data;
    for (const c of doc.clusters ?? []) if (c.cluster && !clusters.has(c.name)) clusters.set(c.name, { value: c.cluster, dir });
    for (const u of doc.users ?? []) if (!users.has(u.name)) users.set(u.name, { value: u.user ?? {}, dir });
    for (const c of doc.contexts ?? []) if (c.context && !contexts.has(c.name)) contexts.set(c.name, { value: c.context, dir });
    if (currentContext === "") currentContext = doc["current-context"] ?? "";
  }
  return { clusters, users, contexts, currentContext };
}

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new KubeconfigError(`cannot load kubeconfig ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
}

function absolute(path: string, dir: string): string {
  return isAbsolute(path) ? path : resolve(dir, path);
}

/** Inline base64 data wins over a file, as in client-go. */
function material(data: string | undefined, file: string | undefined, dir: string): Buffer | undefined {
  if (data !== undefined && data !== "") return Buffer.from(data, "base64");
  if (file === undefined || file === "") return undefined;
  const path = absolute(file, dir);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KubeconfigError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
