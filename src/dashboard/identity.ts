// Who the apiserver says the caller is (SelfSubjectReview), for the page header: with `--as` or a
// kubeconfig `as:` the kubeconfig's user entry is not the identity RBAC judges.
import type { Transport } from "../runtime/client/index.js";

interface SelfSubjectReview {
  readonly status?: { readonly userInfo?: { readonly username?: string } };
}

/** The caller's username as authenticated, or `fallback` when the review is not possible (old cluster, no permission). */
export async function whoAmI(transport: Transport, fallback: string): Promise<string> {
  try {
    const review = await transport.request<SelfSubjectReview>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    });
    return review.status?.userInfo?.username ?? fallback;
  } catch {
    return fallback;
  }
}
