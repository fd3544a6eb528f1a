// The operator's shared caches: jobs, agents and leases in the watched namespaces, feature flags there and in the operator namespace.
import type { Agent, FeatureFlag, FeatureFlagSet } from "../../api/index.js";
import { AGENT_LEASE_SELECTOR, AGENT_TYPE, FEATURE_FLAG_SET_TYPE, FEATURE_FLAG_TYPE, JOB_TYPE } from "../../api/index.js";
import { composeTransforms, SharedInformer, stripLastApplied, stripManagedFields, type InformerLogger } from "../../runtime/cache/index.js";
import { LEASES, ResourceClient, type Lease, type Transport } from "../../runtime/client/index.js";
import { JOB_INDEXERS } from "./indexes.js";
import { cachedJobTransform, type CachedJob } from "./cached-jobs.js";

/** One cache per kind, shared by every controller (one list+watch per kind and namespace). */
export interface OperatorInformers {
  /** Indexed by {@link JOB_INDEX}; holds the projections of cached-jobs.ts, not whole Jobs. */
  readonly jobs: SharedInformer<CachedJob>;
  readonly agents: SharedInformer<Agent>;
  /**
   * Agent heartbeats only: Leases with the agent label (AGENT_LEASE_SELECTOR), so node Leases and
   * other applications' leader Leases are never listed, watched or decoded. The operator's own
   * leader Lease is read by name (runtime/leader), not from here.
   */
  readonly leases: SharedInformer<Lease>;
  /**
   * Tenants' flags in the watched namespaces plus the operator namespace's flags. Control flags are
   * read ONLY from the operator namespace: filter by `metadata.namespace`.
   */
  readonly featureFlags: SharedInformer<FeatureFlag>;
  /** The flag sets (shared evaluators, metadata, static context) of the same namespaces as featureFlags. */
  readonly featureFlagSets: SharedInformer<FeatureFlagSet>;
}

export interface OperatorInformersOptions {
  readonly transport: Transport;
  /** Watched namespaces; empty means all. */
  readonly namespaces: readonly string[];
  readonly operatorNamespace: string;
  readonly log?: InformerLogger;
}

/** Builds (does not start) the shared informers; the manager starts them on every replica. */
export function createOperatorInformers(options: OperatorInformersOptions): OperatorInformers {
  const { transport, namespaces } = options;
  // Caches keep no managedFields (half of a small object's bytes, bench/README.md, scale) and no
  // kubectl last-applied copy: no controller reads them, and the operator writes these kinds only
  // through /status or deletes, which cannot lose them (runtime/cache/transform.ts).
  const log = options.log === undefined ? {} : { log: options.log };
  const common = { transform: composeTransforms(stripManagedFields, stripLastApplied), ...log };
  // Jobs are cached as the projections of cached-jobs.ts: no spec.payload, and once settled only what
  // their readers use, with repeated strings shared. The client is typed with what the cache holds:
  // a listed or watched Job is a live one, whole.
  const jobTransform = composeTransforms<CachedJob>(stripManagedFields, stripLastApplied, cachedJobTransform());
  const flagNamespaces = namespaces.length === 0 ? [] : [...new Set([...namespaces, options.operatorNamespace])];
  return {
    jobs: new SharedInformer<CachedJob>("informer/jobs", new ResourceClient<CachedJob>(transport, JOB_TYPE), { namespaces, indexers: JOB_INDEXERS, transform: jobTransform, ...log }),
    agents: new SharedInformer<Agent>("informer/agents", new ResourceClient<Agent>(transport, AGENT_TYPE), { namespaces, ...common }),
    leases: new SharedInformer<Lease>("informer/leases", new ResourceClient<Lease>(transport, LEASES), { namespaces, labelSelector: AGENT_LEASE_SELECTOR, ...common }),
    featureFlags: new SharedInformer<FeatureFlag>("informer/featureflags", new ResourceClient<FeatureFlag>(transport, FEATURE_FLAG_TYPE), {
      namespaces: flagNamespaces,
      ...common,
    }),
    featureFlagSets: new SharedInformer<FeatureFlagSet>("informer/featureflagsets", new ResourceClient<FeatureFlagSet>(transport, FEATURE_FLAG_SET_TYPE), {
      namespaces: flagNamespaces,
      ...common,
    }),
  };
}
