// One informer per resource and scope, shared by every browser tab of a dashboard server: Jobs,
// Agents, agent Leases, FeatureFlags (the scope's and the operator namespace's control flags) and
// AuditLogs. A resource the caller may not list is not watched; it becomes an AccessProblem that
// the views show ("RBAC denied: user … cannot list jobs.helios.dev in namespace …").
//
// Caveats: access is probed once at start; a Role granted later takes a restart to be seen.
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, AUDIT_LOG_TYPE, FEATURE_FLAG_TYPE, JOB_TYPE, type Agent, type AuditLog, type FeatureFlag, type Job } from "../api/index.js";
import { explainApiError, type RequestTarget } from "../cli/kube/index.js";
import { Informer, stripManagedFields } from "../runtime/cache/index.js";
import { isApiError, LEASES, ResourceClient, type KubeObject, type Lease, type ResourceType, type Transport } from "../runtime/client/index.js";
import type { Logger } from "../runtime/log/index.js";
import type { AccessProblem, WatchedResource } from "./model.js";

/** Which namespaces the dashboard shows: one, or all (undefined). Control flags always come from the operator's. */
export interface WatchScope {
  readonly namespace: string | undefined;
  readonly operatorNamespace: string;
}

interface Watched<T extends KubeObject> {
  readonly resource: WatchedResource;
  readonly namespace: string | undefined;
  informer?: Informer<T>;
  problem?: AccessProblem;
  /** The informer lost its connection and has not listed or watched since. */
  disconnected?: boolean;
}

function resourceName(type: ResourceType): string {
  return type.group === "" ? type.plural : `${type.plural}.${type.group}`;
}

/** The dashboard's caches. Readers get snapshots; only the informers write. */
export class DashboardWatches {
  readonly scope: WatchScope;
  readonly #transport: Transport;
  readonly #target: RequestTarget;
  readonly #log: Logger;
  readonly #listeners = new Set<(resource: WatchedResource) => void>();
  readonly #jobs: Watched<Job>;
  readonly #agents: Watched<Agent>;
  readonly #leases: Watched<Lease>;
  readonly #flags: Watched<FeatureFlag>;
  /** Undefined when the scope already covers the operator namespace. */
  readonly #controlFlags: Watched<FeatureFlag> | undefined;
  readonly #audit: Watched<AuditLog>;

  constructor(transport: Transport, target: RequestTarget, scope: WatchScope, log: Logger) {
    this.scope = scope;
    this.#transport = transport;
    this.#target = target;
    this.#log = log;
    const ns = scope.namespace;
    this.#jobs = { resource: "jobs", namespace: ns };
    this.#agents = { resource: "agents", namespace: ns };
    this.#leases = { resource: "leases", namespace: ns };
    this.#flags = { resource: "featureflags", namespace: ns };
    this.#controlFlags = ns === undefined || ns === scope.operatorNamespace ? undefined : { resource: "featureflags", namespace: scope.operatorNamespace };
    this.#audit = { resource: "auditlogs", namespace: ns };
  }

  /** Calls `listener` with the resource after every add, update or delete. Returns an unsubscribe. */
  onChange(listener: (resource: WatchedResource) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Probes access, starts the informers the caller may use and waits for their first list.
   * @throws CliError when the cluster cannot be reached (or answers with anything but a refusal).
   */
  async start(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.#startOne(this.#jobs, JOB_TYPE, signal),
      this.#startOne(this.#agents, AGENT_TYPE, signal),
      this.#startOne(this.#leases, LEASES, signal, AGENT_LEASE_SELECTOR),
      this.#startOne(this.#flags, FEATURE_FLAG_TYPE, signal),
      ...(this.#controlFlags === undefined ? [] : [this.#startOne(this.#controlFlags, FEATURE_FLAG_TYPE, signal)]),
      this.#startOne(this.#audit, AUDIT_LOG_TYPE, signal),
    ]);
  }

  async #startOne<T extends KubeObject>(watched: Watched<T>, type: ResourceType, signal: AbortSignal, labelSelector?: string): Promise<void> {
    const client = new ResourceClient<T>(this.#transport, type);
    try {
      await client.list({ namespace: watched.namespace, labelSelector, limit: 1 });
    } catch (err) {
      const explained = explainApiError(err, { verb: "list", resource: resourceName(type), namespace: watched.namespace }, this.#target);
      // An unreachable cluster ends the command with what to do; a refusal is shown where it matters.
      if (!(isApiError(err, "Forbidden") || isApiError(err, "Unauthorized") || isApiError(err, "NotFound"))) throw explained;
      watched.problem = { resource: watched.resource, ...(watched.namespace === undefined ? {} : { namespace: watched.namespace }), message: explained.message };
      this.#log.warn({ resource: watched.resource, namespace: watched.namespace }, explained.message);
      return;
    }
    const informer = new Informer<T>(client, {
      namespace: watched.namespace,
      labelSelector,
      resyncPeriodMs: 0,
      transform: stripManagedFields,
      log: this.#log,
      onHealthChange: (healthy) => {
        watched.disconnected = !healthy;
        for (const listener of this.#listeners) listener(watched.resource);
      },
    });
    const changed = (): void => {
      for (const listener of this.#listeners) listener(watched.resource);
    };
    informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    watched.informer = informer;
    void informer.start(signal);
    await informer.waitForSync(signal);
  }

  jobs(): readonly Job[] {
    return this.#jobs.informer?.store.list() ?? [];
  }

  /** The cached job, or undefined when it is outside the scope or unknown. */
  job(namespace: string, name: string): Job | undefined {
    return this.#jobs.informer?.store.get(`${namespace}/${name}`);
  }

  agents(): readonly Agent[] {
    return this.#agents.informer?.store.list() ?? [];
  }

  leases(): readonly Lease[] {
    return this.#leases.informer?.store.list() ?? [];
  }

  featureFlags(): readonly FeatureFlag[] {
    return this.#flags.informer?.store.list() ?? [];
  }

  /** The FeatureFlags of the operator namespace; undefined when they may not be read. */
  controlFlags(): readonly FeatureFlag[] | undefined {
    const source = this.#controlFlags ?? this.#flags;
    if (source.informer === undefined) return undefined;
    const all = source.informer.store.list();
    return this.#controlFlags === undefined ? all.filter((f) => f.metadata.namespace === this.scope.operatorNamespace) : all;
  }

  auditLogs(): readonly AuditLog[] {
    return this.#audit.informer?.store.list() ?? [];
  }

  /** What may not be watched, or is not being watched right now, for the views that need those resources. */
  problems(...resources: WatchedResource[]): AccessProblem[] {
    const all = [this.#jobs, this.#agents, this.#leases, this.#flags, ...(this.#controlFlags === undefined ? [] : [this.#controlFlags]), this.#audit];
    const problems: AccessProblem[] = [];
    for (const w of all) {
      if (resources.length > 0 && !resources.includes(w.resource)) continue;
      const where = w.namespace === undefined ? {} : { namespace: w.namespace };
      if (w.problem !== undefined) problems.push(w.problem);
      else if (w.disconnected === true) problems.push({ resource: w.resource, ...where, message: `the watch of ${w.resource} lost the apiserver: showing what was last seen while it reconnects` });
    }
    return problems;
  }

  /** Whether `namespace` lies in the watched scope. */
  covers(namespace: string): boolean {
    return this.scope.namespace === undefined || this.scope.namespace === namespace;
  }
}
