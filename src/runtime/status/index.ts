// Status writes with optimistic concurrency: skip when nothing changed, PUT /status with the read
// resourceVersion otherwise, and report what became of it as a WriteOutcome (a 409 is `conflict`, not an error).
export { jsonEqual } from "./deep-equal.js";
export { StatusWriter, withObservedGeneration, type StatusOf, type StatusWriterOptions, type WithStatus } from "./status-writer.js";
