// Status writes with optimistic concurrency: skip when nothing changed, PUT /status with the read
// resourceVersion otherwise, and report a 409 as the `conflict` outcome rather than an error.
export { jsonEqual } from "./deep-equal.js";
export { StatusWriter, withObservedGeneration, type StatusOf, type StatusUpdateResult, type StatusWriterOptions, type WithStatus } from "./status-writer.js";
