// What a long-running process serves and how it stops: the /metrics and probe endpoints with their
// bind addresses, delegated authn/authz and a self-signed certificate, and SIGTERM as an AbortSignal.
// Loads no prom-client (a Registry is only a type here), so an agent serves probes without it.
export { bindAddressSchema, listenersClash, parseBindAddress, type BindAddress } from "./bind-address.js";
export { shutdownSignal } from "./signals.js";
export {
  bearerToken,
  delegatingAccessReviewer,
  delegatingAuthenticator,
  tokenHash,
  type Authenticator,
  delegatingMetricsGuard,
  TtlCache,
  type Access,
  type AccessAttributes,
  type AccessReviewer,
  type DelegatingOptions,
  type MetricsAccess,
  type MetricsGuard,
  type ReviewedUser,
} from "./metrics-auth.js";
export { closeServer, listen, serveMetrics, serveProbes, type Check, type MetricsProtection } from "./server.js";
export { selfSignedCertificate, type ServingCertificate } from "./self-signed.js";
