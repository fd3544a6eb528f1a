// The OpenFeature Remote Evaluation Protocol over Helios FeatureFlags: any language's OFREP provider
// evaluates a namespace's flags with the evaluator HeliosProvider uses, as the caller's own identity
// allows (TokenReview and SubjectAccessReview). `helios flags serve` runs it.
export {
  bulkResponse,
  etagMatches,
  parseEvaluationRequest,
  resolveUntyped,
  singleResponse,
  toEvaluation,
  type Evaluation,
  type EvaluationFailure,
  type EvaluationSuccess,
  type OfrepErrorCode,
  type OfrepResponse,
} from "./protocol.js";
export { MAX_BODY_BYTES, NAMESPACE_HEADER, namespaceOf, ofrepHandler, routeOf, serveOfrep, type OfrepHandlerOptions, type OfrepRoute } from "./server.js";
export { watchNamespaces, type ServedNamespaces, type WatchedNamespaces } from "./watch.js";
