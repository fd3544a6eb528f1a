// Kubernetes Events for transitions users should see with `kubectl describe` / `kubectl events`.
export { ApiEventRecorder, type EventRecorder, type EventRecorderOptions, type EventType } from "./recorder.js";
