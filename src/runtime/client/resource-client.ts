// A typed client for one resource: get, list, create, replace, merge patch, status writes, delete, watch.
import { NetworkError, isApiError, toApiError } from "./errors.js";
import type { KubeObject, ObjectList, ObjectRef } from "./object.js";
import { apiVersionOf, resourcePath, type ResourceType } from "./resource-type.js";
import type { Transport } from "./transport.js";
import { LineSplitter, WatchDecodeError, parseWatchLine, type RawWatchEvent } from "./watch-stream.js";

const MERGE_PATCH = "application/merge-patch+json";

interface Signalled {
  readonly signal?: AbortSignal | undefined;
  /** false: a 429 throws TooManyRequestsError at once instead of being waited out (reconciles fail fast). */
  readonly retryOn429?: boolean | undefined;
}

export interface ListOptions extends Signalled {
  /** Omit for all namespaces (namespaced resources) or for cluster-scoped ones. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  /** Omit for a consistent (quorum) read; "0" accepts any cached state. */
  readonly resourceVersion?: string | undefined;
}

export interface WatchOptions extends Signalled {
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** Start after this version (from a list or the last event). */
  readonly resourceVersion: string;
  readonly allowWatchBookmarks?: boolean | undefined;
  /** The server closes the watch cleanly after this long. */
  readonly timeoutSeconds?: number | undefined;
}

export interface PatchOptions extends Signalled {
  /** Carried in the patch as metadata.resourceVersion: the write fails with Conflict if stale. */
  readonly resourceVersion?: string | undefined;
}

export interface DeleteOptions extends Signalled {
  /** Precondition: delete only this version (Conflict otherwise). */
  readonly resourceVersion?: string | undefined;
  /** Precondition: delete only this incarnation (Conflict otherwise). */
  readonly uid?: string | undefined;
  readonly propagationPolicy?: "Foreground" | "Background" | "Orphan" | undefined;
  readonly gracePeriodSeconds?: number | undefined;
}

/** Reads: what an informer needs. */
export interface ResourceReader<T extends KubeObject> {
  get(ref: ObjectRef, options?: Signalled): Promise<T>;
  list(options?: ListOptions): Promise<ObjectList<T>>;
  listAll(options?: Omit<ListOptions, "limit" | "continue">, pageSize?: number, map?: (item: T) => T): Promise<ObjectList<T>>;
  watch(options: WatchOptions): AsyncGenerator<RawWatchEvent<T>, void, undefined>;
}

/** Optimistic-concurrency status writes, and the read that settles a write whose answer was lost. */
export interface StatusWriterClient<T extends KubeObject> {
  replaceStatus(obj: T, options?: Signalled): Promise<T>;
  get(ref: ObjectRef, options?: Signalled): Promise<T>;
}

/**
 * Typed REST client over one resource. Writes that carry `metadata.resourceVersion` fail with
 * ConflictError when someone else wrote first; all failures are ApiError subclasses.
 */
export class ResourceClient<T extends KubeObject> implements ResourceReader<T>, StatusWriterClient<T> {
  readonly type: ResourceType;
  readonly #transport: Transport;

  constructor(transport: Transport, type: ResourceType) {
    this.#transport = transport;
    this.type = type;
  }

  get(ref: ObjectRef, options: Signalled = {}): Promise<T> {
    return this.#transport.request<T>({ method: "GET", path: this.#path(ref), signal: options.signal, retryOn429: options.retryOn429 });
  }

  /** One page (or everything when `limit` is unset). */
  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const list = await this.#transport.request<{ items?: T[] | null; metadata?: { resourceVersion?: string; continue?: string } }>({
      method: "GET",
      path: resourcePath(this.type, { namespace: options.namespace }),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
      },
      signal: options.signal,
      retryOn429: options.retryOn429,
    });
    // List items carry no apiVersion/kind on the wire; fill them so items look like watched objects.
    const items = (list.items ?? []).map((item) => this.#withTypeMeta(item));
    return {
      items,
      metadata: { resourceVersion: list.metadata?.resourceVersion ?? "", ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}) },
    };
  }

  /**
   * Lists every page and returns one snapshot. If a continue token expires mid-way (410), starts
   * over unpaginated, as client-go's pager does, so the result is always one consistent snapshot.
   * `map` applies to each page as it arrives (an informer's transform), so a page's raw objects can
   * be collected before the next page comes instead of all of them living until the end.
   */
  async listAll(options: Omit<ListOptions, "limit" | "continue"> = {}, pageSize = 500, map?: (item: T) => T): Promise<ObjectList<T>> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = "";
    try {
      do {
        const page = await this.list({ ...options, limit: pageSize, continue: continueToken });
        for (const item of page.items) items.push(map === undefined ? item : map(item));
        // The snapshot's version is the first page's; later pages repeat it.
        if (continueToken === undefined) resourceVersion = page.metadata.resourceVersion;
        continueToken = page.metadata.continue;
      } while (continueToken);
    } catch (err) {
      if (continueToken === undefined || !isApiError(err, "Gone")) throw err;
      const all = await this.list(options);
      return map === undefined ? all : { ...all, items: all.items.map(map) };
    }
    return { items, metadata: { resourceVersion } };
  }

  /** Creates `obj` in `obj.metadata.namespace`. AlreadyExistsError when the name is taken. */
  create(obj: T, options: Signalled = {}): Promise<T> {
    return this.#transport.request<T>({
      method: "POST",
      path: resourcePath(this.type, { namespace: obj.metadata?.namespace }),
      body: this.#withTypeMeta(obj),
      signal: options.signal,
      retryOn429: options.retryOn429,
    });
  }

  /** PUT of the whole object (status is ignored where a status subresource exists). Requires resourceVersion. */
  replace(obj: T, options: Signalled = {}): Promise<T> {
    return this.#transport.request<T>({ method: "PUT", path: this.#pathOf(obj), body: this.#withTypeMeta(obj), signal: options.signal, retryOn429: options.retryOn429 });
  }

  /** PUT of /status: only `status` changes. Requires resourceVersion. */
  replaceStatus(obj: T, options: Signalled = {}): Promise<T> {
    return this.#transport.request<T>({ method: "PUT", path: this.#pathOf(obj, "status"), body: this.#withTypeMeta(obj), signal: options.signal, retryOn429: options.retryOn429 });
  }

  /** JSON merge patch (RFC 7386) of the object; `null` values delete fields. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: PatchOptions = {}): Promise<T> {
    return this.#patch(ref, undefined, patch, options);
  }

  /** JSON merge patch of /status. */
  mergePatchStatus(ref: ObjectRef, patch: Record<string, unknown>, options: PatchOptions = {}): Promise<T> {
    return this.#patch(ref, "status", patch, options);
  }

  /** Deletes; NotFoundError when already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    const preconditions =
      options.resourceVersion !== undefined || options.uid !== undefined
        ? { preconditions: { ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}), ...(options.uid ? { uid: options.uid } : {}) } }
        : {};
    await this.#transport.request<unknown>({
      method: "DELETE",
      path: this.#path(ref),
      body: {
        apiVersion: "v1",
        kind: "DeleteOptions",
        ...preconditions,
        ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
        ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
      },
      signal: options.signal,
      retryOn429: options.retryOn429,
    });
  }

  /**
   * Opens one watch and yields its events until the server ends it (timeoutSeconds), the
   * connection fails (throws ApiError) or `signal` aborts. No retries here: see watch/Watcher.
   */
  async *watch(options: WatchOptions): AsyncGenerator<RawWatchEvent<T>, void, undefined> {
    const response = await this.#transport.stream({
      path: resourcePath(this.type, { namespace: options.namespace }),
      query: {
        watch: 1,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      signal: options.signal,
    });
    const lines = new LineSplitter();
    try {
      for await (const chunk of response) {
        for (const line of lines.push(chunk as Buffer)) yield parseWatchLine<T>(line);
      }
      for (const line of lines.flush()) yield parseWatchLine<T>(line);
    } catch (err) {
      // A reset mid-stream surfaces as a socket error: name it, unless the caller aborted.
      if (options.signal?.aborted || !(err instanceof Error) || err instanceof WatchDecodeError) throw err;
      throw toApiError(err) ?? new NetworkError({ message: `watch stream failed: ${err.message}`, cause: err });
    } finally {
      response.destroy();
    }
  }

  #path(ref: ObjectRef, subresource?: string): string {
    return resourcePath(this.type, { namespace: ref.namespace, name: ref.name, subresource });
  }

  #pathOf(obj: T, subresource?: string): string {
    const metadata = obj.metadata;
    if (!metadata?.name) throw new TypeError(`${this.type.kind} has no metadata.name`);
    if (!metadata.resourceVersion) throw new TypeError(`${this.type.kind} ${metadata.name}: a replace needs metadata.resourceVersion`);
    return resourcePath(this.type, { namespace: metadata.namespace, name: metadata.name, subresource });
  }

  #patch(ref: ObjectRef, subresource: string | undefined, patch: Record<string, unknown>, options: PatchOptions): Promise<T> {
    const metadata = (patch["metadata"] ?? {}) as Record<string, unknown>;
    const body = options.resourceVersion === undefined ? patch : { ...patch, metadata: { ...metadata, resourceVersion: options.resourceVersion } };
    return this.#transport.request<T>({
      method: "PATCH",
      path: this.#path(ref, subresource),
      body,
      contentType: MERGE_PATCH,
      signal: options.signal,
      retryOn429: options.retryOn429,
    });
  }

  #withTypeMeta(obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(this.type), kind: obj.kind ?? this.type.kind };
  }
}
