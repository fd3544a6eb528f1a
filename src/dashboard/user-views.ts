// A dashboard in a cluster acts as each signed-in user: per user (the reviewed username, a hash of
// their token, and the scope they chose) one set of watches made with the user's own token, shared by
// all of that user's sessions and tabs, and stopped when the user's last session ends.
import type { ApiTarget } from "../cli/kube/index.js";
import { Transport } from "../runtime/client/index.js";
import type { TlsAccess } from "../runtime/kubeconfig/index.js";
import type { Logger } from "../runtime/log/index.js";
import { tokenHash, type ReviewedUser } from "../runtime/serving/index.js";
import { DashboardReads } from "./reads.js";
import { DashboardWatches } from "./watches.js";

/** What one user sees through: their connection, their watches and the reads over them. */
export interface UserView {
  readonly key: string;
  readonly user: string;
  readonly target: ApiTarget;
  readonly watches: DashboardWatches;
  readonly reads: DashboardReads;
}

interface Entry {
  readonly view: UserView;
  readonly stop: AbortController;
  /** Resolves once the watches listed (or were refused); rejects when the cluster cannot be reached. */
  readonly started: Promise<void>;
  holders: number;
}

export interface UserViewsOptions {
  /** The dashboard's own access to the cluster: only its server and CA are used for users. */
  readonly access: TlsAccess;
  readonly server: string;
  readonly operatorNamespace: string;
  readonly requestTimeoutMs?: number;
  readonly log: Logger;
}

/** The key of a user's view: who (as reviewed), which token (hashed) and which scope. */
export function userViewKey(user: ReviewedUser, token: string, namespace: string | undefined): string {
  return `${user.username}\n${tokenHash(token)}\n${namespace ?? "*"}`;
}

/** Every user's view, held by their sessions. */
export class UserViews {
  readonly #options: UserViewsOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: UserViewsOptions) {
    this.#options = options;
  }

  /**
   * The view of `user` (made with `token`, scoped to `namespace` or all), started if new, held once
   * more: every acquire needs a release.
   * @throws CliError when the cluster cannot be reached with the user's token.
   */
  async acquire(user: ReviewedUser, token: string, namespace: string | undefined): Promise<UserView> {
    const key = userViewKey(user, token, namespace);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = this.#start(key, user, token, namespace);
      this.#entries.set(key, entry);
    }
    entry.holders++;
    try {
      await entry.started;
    } catch (err) {
      this.release(entry.view);
      throw err;
    }
    return entry.view;
  }

  /** Lets go of one hold on `view`; the last one stops its watches. */
  release(view: UserView): void {
    const entry = this.#entries.get(view.key);
    if (entry === undefined || entry.view !== view) return;
    entry.holders--;
    if (entry.holders > 0) return;
    this.#entries.delete(view.key);
    entry.stop.abort();
    this.#options.log.info({ user: view.user }, "dashboard: the user's last session ended; their watches stop");
  }

  /** Stops every view. */
  close(): void {
    for (const entry of this.#entries.values()) entry.stop.abort();
    this.#entries.clear();
  }

  /** How many users' watches run (tests, logs). */
  get size(): number {
    return this.#entries.size;
  }

  #start(key: string, user: ReviewedUser, token: string, namespace: string | undefined): Entry {
    const { access, server, operatorNamespace, log } = this.#options;
    const transport = new Transport(access.withBearerToken(token), { requestTimeoutMs: this.#options.requestTimeoutMs ?? 30_000, maxRetriesOn429: 2 });
    const target: ApiTarget = { transport, server, contextName: "in-cluster", userName: user.username, namespace: namespace ?? "default" };
    const watches = new DashboardWatches(transport, target, { namespace, operatorNamespace }, log.child({ user: user.username }));
    const view: UserView = { key, user: user.username, target, watches, reads: new DashboardReads(watches, target) };
    const stop = new AbortController();
    log.info({ user: user.username, namespace: namespace ?? "all namespaces" }, "dashboard: starting the user's watches");
    const started = watches.start(stop.signal);
    started.catch(() => undefined);
    return { view, stop, started, holders: 0 };
  }
}
