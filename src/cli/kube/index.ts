// Talking to the user's cluster like kubectl: kubeconfig files and context, namespace and -A,
// impersonation (--as), reading objects once or live (--watch), the steering writes (drain, cancel,
// pause), and errors that say what to do next.
export { CLUSTER_UP_HINT, CliError, explainApiError, explained, type ApiRequest, type RequestTarget } from "./errors.js";
export {
  addKubeOptions,
  connect,
  kubeconfigFiles,
  loadKubeConfigFiles,
  operatorNamespaceOption,
  type ApiTarget,
  type KubeFlags,
  type KubeOptionsSpec,
  type KubeTarget,
} from "./kube-config.js";
export { agentJobsSelector, UNFINISHED_SELECTOR } from "./selectors.js";
export {
  DISPATCH_PAUSED_VARIANTS,
  dispatchPausedPatch,
  evaluateDispatchPaused,
  requestJobCancel,
  setAgentDrain,
  setDispatchPaused,
  type DrainOutcome,
  type PauseOutcome,
} from "./steer.js";
export { InformerSource, ListSource, type ObjectSource, type Query } from "./sources.js";
