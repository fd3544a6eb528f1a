// The one failure of loading a kubeconfig: the files, context or service account cannot give a cluster to talk to.

/** No usable cluster: a missing or malformed kubeconfig, an unknown context, unreadable credentials. Not retryable. */
export class KubeconfigError extends Error {
  readonly code = "Kubeconfig" as const;
  readonly retryable = false as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KubeconfigError";
  }
}
