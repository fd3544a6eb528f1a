// The one failure of loading a kubeconfig: the files, context or service account cannot give a cluster to talk to.

/** No usable cluster: a missing or malformed kubeconfig, an unknown context, unreadable credentials. Not retryable. */
export class KubeconfigError extends Error {
  readonly code = "Kubeconfig" as const;
  readonly retryable = false as const;
  /** The flag to fix: `--context` when the named context is the problem, else `--kubeconfig`. */
  readonly flag: "--kubeconfig" | "--context";

  constructor(message: string, options?: { cause?: unknown; flag?: "--kubeconfig" | "--context" }) {
    super(message, options);
    this.name = "KubeconfigError";
    this.flag = options?.flag ?? "--kubeconfig";
  }
}
