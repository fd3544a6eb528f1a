// The queue-priority controller (the dispatcher): coalesced scheduling cycles over the shared caches
// that assign Pending jobs to agents, exactly once per attempt, move a lost agent's jobs to agents
// with room in one write, and say why the others wait.
import type { Job } from "../../api/index.js";
import { JOB_TYPE } from "../../api/index.js";
import { ResourceClient } from "../../runtime/client/index.js";
import { Controller } from "../../runtime/controller/index.js";
import { StatusWriter } from "../../runtime/status/index.js";
import type { ControllerRegistration, OperatorContext } from "../operator-context.js";
import { recoveryConfig } from "../job-recovery/index.js";
import { isLostAgent, jobMetrics, type CachedJob } from "../shared/index.js";
import { Dispatcher, DISPATCH_REQUEST, jobEventMattersToDispatch, QUEUE_PRIORITY_CONTROLLER, type DispatcherOptions } from "./dispatcher.js";

export { WriteSlots, type Submitted, type WritePriority } from "./bounded.js";
export { Dispatcher, DISPATCH_REQUEST, jobEventMattersToDispatch, QUEUE_PRIORITY_CONTROLLER, type DispatcherDeps, type DispatcherOptions } from "./dispatcher.js";
export { InFlightWrites } from "./in-flight.js";
export { buildSnapshot, schedulingFlags, toSchedulingAgent, toSchedulingJob, type HeldSlot, type SnapshotInput } from "./snapshot.js";
export { ASSIGNED_REASON, assignedStatus, unplacedStatus } from "./status.js";

/** Builds the dispatcher controller: one worker, one key, triggered by jobs, agents, flag changes and failed writes. */
export function queuePriorityController(ctx: OperatorContext, options: DispatcherOptions = {}): Controller {
  const dispatcher = new Dispatcher({
    jobs: ctx.informers.jobs.store,
    agents: ctx.informers.agents.store,
    statusWriter: new StatusWriter<Job>(new ResourceClient<Job>(ctx.transport, JOB_TYPE), { log: ctx.log }),
    flags: ctx.flags,
    audit: ctx.audit,
    events: ctx.events,
    clock: ctx.clock,
    recovery: recoveryConfig(ctx.config),
    metrics: jobMetrics(ctx.registry),
    // A write that did not land after its cycle returned queues a new cycle to decide again.
    wake: () => controller.enqueue(DISPATCH_REQUEST),
    options,
  });
  const controller = new Controller({
    name: QUEUE_PRIORITY_CONTROLLER,
    reconciler: dispatcher,
    maxConcurrentReconciles: 1,
    registry: ctx.registry,
    logger: ctx.log,
    clock: ctx.clock,
  });
  const dispatch = (): void => controller.enqueue(DISPATCH_REQUEST);
  const onLostAgent = (job: CachedJob): boolean => {
    const agent = job.status?.assignedAgent;
    return agent !== undefined && isLostAgent(ctx.informers.agents.store.getByName(job.metadata.namespace, agent));
  };
  const onJob = (oldJob: CachedJob | undefined, newJob: CachedJob): void => {
    if (jobEventMattersToDispatch(oldJob, newJob, onLostAgent)) dispatch();
  };
  const onSeen = (oldJob: CachedJob | undefined, newJob: CachedJob): void => {
    dispatcher.observe(newJob);
    onJob(oldJob, newJob);
  };
  ctx.informers.jobs.addEventHandler({ onAdd: (job) => onSeen(undefined, job), onUpdate: onSeen, onDelete: (job) => onJob(undefined, job) });
  controller.watch(ctx.informers.agents, () => [DISPATCH_REQUEST]);
  ctx.flags.onChange(() => controller.enqueue(DISPATCH_REQUEST));
  return controller;
}

export const queuePriorityRegistration: ControllerRegistration = {
  name: QUEUE_PRIORITY_CONTROLLER,
  setup: (ctx) => [queuePriorityController(ctx)],
};
