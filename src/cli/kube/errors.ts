// Failures of the operator-facing commands, told in the user's terms with what to do next.
import { isApiError } from "../../runtime/client/index.js";

/** A failure the user can act on: printed as is, exit 1. */
export class CliError extends Error {
  readonly code = "Cli" as const;
  readonly exitCode = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
  }
}

/** What a request tried to do, for messages: `list jobs.helios.dev in namespace "a"`. */
export interface ApiRequest {
  readonly verb: "get" | "list" | "watch" | "create" | "update" | "patch";
  /** `plural.group`, e.g. `jobs.helios.dev`, or `leases.coordination.k8s.io`. */
  readonly resource: string;
  /** Undefined: across all namespaces. */
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

/** Who asked where: enough to say which cluster and which identity. */
export interface RequestTarget {
  readonly server: string;
  readonly contextName: string;
  /** The identity RBAC sees as far as we know it: `--as`, else the kubeconfig user entry. */
  readonly userName: string;
}

/** The command that starts the project's local control plane. */
export const CLUSTER_UP_HINT = "`make cluster-up` (kubeconfig .helios/kubeconfig)";

/**
 * Turns what a request threw into a CliError saying what failed and what to do: unreachable
 * cluster, Helios CRDs missing, RBAC denial (verb, resource and user), object not found,
 * rejected credentials. Anything that is not an API error (a bug) passes through unchanged.
 */
export function explainApiError(err: unknown, request: ApiRequest, target: RequestTarget): Error {
  if (!isApiError(err)) return err instanceof Error ? err : new Error(String(err));
  const where = scopeOf(request);
  switch (err.code) {
    case "Network":
    case "Timeout":
    case "Unavailable":
      return new CliError(
        `cannot reach the cluster at ${target.server} (context "${target.contextName}"): is it running? ` +
          `For the local one run ${CLUSTER_UP_HINT}; otherwise pick another with --context or --kubeconfig. (${err.message})`,
        { cause: err },
      );
    case "NotFound":
      // An object's 404 is a Status with reason NotFound; a resource the server does not serve
      // (CRD not installed) answers with a bare "404 page not found".
      if (err.reason === "NotFound" && err.details?.kind === "namespaces") {
        return new CliError(`namespace "${err.details.name ?? request.namespace ?? ""}" not found: create it or pick another with -n`, { cause: err });
      }
      if (err.reason === "NotFound" && request.name !== undefined) {
        return new CliError(`${kindOf(request.resource)} "${request.name}" not found ${where}`, { cause: err });
      }
      if (err.reason === "NotFound") return new CliError(`${err.message} (${request.verb} ${request.resource} ${where})`, { cause: err });
      return new CliError(
        `Helios CRDs are not installed in the cluster at ${target.server}: kubectl apply -f crds/ ` +
          `(or install the Helm chart). The server does not serve ${request.resource}.`,
        { cause: err },
      );
    case "Forbidden": {
      const user = /User "([^"]*)"/.exec(err.message)?.[1] ?? target.userName;
      const object = request.name === undefined ? request.resource : `${request.resource} "${request.name}"`;
      const narrow = request.namespace === undefined && request.verb === "list" ? " or narrow to one namespace with -n" : "";
      return new CliError(
        `RBAC denied: user "${user}" cannot ${request.verb} ${object} ${where}. ` +
          `Ask a cluster admin for a Role granting "${request.verb}" on ${request.resource}${narrow}.`,
        { cause: err },
      );
    }
    case "Unauthorized":
      return new CliError(
        `the cluster at ${target.server} rejected the credentials of user "${target.userName}" (context "${target.contextName}"): ` +
          `refresh them or pick another context with --context`,
        { cause: err },
      );
    case "Invalid":
      return new CliError(`the cluster refused to ${request.verb} ${request.resource} ${where}: ${err.message}`, { cause: err });
    default:
      return new CliError(`${request.verb} ${request.resource} ${where} failed: ${err.message}`, { cause: err });
  }
}

/** Runs one request and explains its failure (see explainApiError). */
export async function explained<T>(target: RequestTarget, request: ApiRequest, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw explainApiError(err, request, target);
  }
}

function scopeOf(request: ApiRequest): string {
  return request.namespace === undefined ? "across all namespaces" : `in namespace "${request.namespace}"`;
}

/** `jobs.helios.dev` → `job.helios.dev`, the way kubectl names one object's kind. */
function kindOf(resource: string): string {
  const [plural = resource, ...group] = resource.split(".");
  const singular = plural.endsWith("s") ? plural.slice(0, -1) : plural;
  return [singular, ...group].join(".");
}
