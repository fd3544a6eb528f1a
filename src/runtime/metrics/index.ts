// Metrics: the one prom-client Registry an operator process serves on /metrics, and helpers that
// get-or-create metric families on it (runtime families by controller-runtime's names, business
// families under `helios_*`).
export type { RegistryOptions } from "./registry.js";
export {
  createRegistry,
  getOrCreateCounter,
  getOrCreateGauge,
  getOrCreateHistogram,
  HELIOS_METRIC_PREFIX,
  heliosCounter,
  heliosGauge,
  heliosHistogram,
} from "./registry.js";
export type { Registry } from "prom-client";
