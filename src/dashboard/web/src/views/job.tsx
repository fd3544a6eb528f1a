// One job: spec, status, conditions, the attempts as a timeline, audit entries, Kubernetes Events; cancel and retry.
import type { ReactNode } from "react";
import { isTerminalJobPhase } from "../../../../api/constants.js";
import type { JobDetail } from "../../../model.js";
import { useLive } from "../api.js";
import { ConfirmAction, ErrorNote, Problems, ProgressBar } from "../components.js";

const at = (time: string | undefined): number | undefined => (time === undefined ? undefined : Date.parse(time));

/**
 * The attempts on one time axis, from the job's creation to its end (or now): each bar runs from
 * assignment to the end of the attempt, darker from the start of the run.
 */
function AttemptTimeline({ job, attempts }: { job: JobDetail["job"]; attempts: JobDetail["attempts"] }): ReactNode {
  const from = at(job.metadata.creationTimestamp) ?? Date.now();
  const to = Math.max(at(job.status?.finishedAt) ?? Date.now(), from + 1);
  const pct = (ms: number | undefined, fallback: number): number => (((ms ?? fallback) - from) / (to - from)) * 100;
  return (
    <ol className="timeline" data-testid="attempts">
      {attempts.map((a) => {
        const assigned = pct(at(a.assignedAt), from);
        const started = pct(at(a.startedAt), at(a.finishedAt) ?? to);
        const finished = pct(at(a.finishedAt), to);
        return (
          <li key={a.attempt}>
            <span className="attempt-label">
              <strong>#{a.attempt}</strong> on <code>{a.agent}</code> <span className={`phase ${a.outcome}`}>{a.outcome === "" ? "running" : a.outcome}</span> {a.reason ?? ""}
            </span>
            <span className="track" title={`assigned ${a.assignedAt ?? "-"}, started ${a.startedAt ?? "-"}, finished ${a.finishedAt ?? "-"}`}>
              <span className="waiting" style={{ left: `${assigned}%`, width: `${Math.max(0.5, started - assigned)}%` }} />
              <span className={`running ${a.outcome}`} style={{ left: `${started}%`, width: `${Math.max(0.5, finished - started)}%` }} />
            </span>
            <span className="attempt-times">
              assigned {a.assignedAt ?? "-"} · started {a.startedAt ?? "-"} · finished {a.finishedAt ?? "-"}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

export function JobView({ namespace, name }: { namespace: string; name: string }): ReactNode {
  const { data, error } = useLive<JobDetail>(`/api/jobs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, ["jobs", "auditlogs"]);
  if (data === undefined) {
    return (
      <section data-testid="job">
        <h2>Job {namespace}/{name}</h2>
        <ErrorNote error={error} />
      </section>
    );
  }
  const { job, view } = data;
  const status = job.status;
  const finished = isTerminalJobPhase(view.phase);
  return (
    <section data-testid="job">
      <h2>
        Job {namespace}/{name} <span className={`phase ${view.phase}`} data-testid="job-phase">{view.phase}</span>
      </h2>
      <Problems problems={data.problems} />
      <div className="actions">
        <ConfirmAction
          label="Cancel"
          danger
          disabled={finished || view.cancelRequested}
          explain={`Sets spec.cancel on ${namespace}/${name}: the operator cancels it and asks a running handler to stop.`}
          action={{ action: "cancel-job", namespace, name }}
        />
        <ConfirmAction
          label="Retry as a new job"
          explain={`Creates a new Job in ${namespace} with the same spec and labels as ${name}. This job is left as it is.`}
          action={{ action: "retry-job", namespace, name }}
          onDone={(r) => {
            if (r.ok && r.name !== undefined) window.location.hash = `#/jobs/${encodeURIComponent(namespace)}/${encodeURIComponent(r.name)}`;
          }}
        />
      </div>
      {status?.progress?.percent === undefined ? null : (
        <p className="progress">
          <ProgressBar percent={status.progress.percent} /> {Math.round(status.progress.percent)}% {status.progress.message ?? ""}
        </p>
      )}
      {status?.result === undefined ? null : (
        <>
          <h3>Result</h3>
          <pre data-testid="job-result">{JSON.stringify(status.result, null, 2)}</pre>
        </>
      )}
      {status?.lastError === undefined ? null : (
        <p className="problems">
          {status.lastError.reason}: {status.lastError.message}
        </p>
      )}
      <div className="grid">
        <div className="card">
          <h3>Spec</h3>
          <pre>{JSON.stringify(job.spec, null, 2)}</pre>
        </div>
        <div className="card">
          <h3>Status</h3>
          <table>
            <tbody>
              {(
                [
                  ["Agent", status?.assignedAgent],
                  ["Attempt", status?.attempt],
                  ["Retries", status?.retries],
                  ["Created", job.metadata.creationTimestamp],
                  ["Queued", status?.queuedAt],
                  ["Assigned", status?.assignedAt],
                  ["Started", status?.startedAt],
                  ["Finished", status?.finishedAt],
                  ["Next attempt", status?.nextAttemptAt],
                ] as const
              ).map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{v === undefined ? "-" : String(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Conditions</h3>
          <table>
            <tbody>
              {data.conditions.map((c) => (
                <tr key={c.type}>
                  <td>{c.type}</td><td>{c.status}</td><td>{c.reason}</td><td>{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h3>Attempts</h3>
      <AttemptTimeline job={job} attempts={data.attempts} />
      <h3>Audit</h3>
      {data.audit.length === 0 ? <p className="muted">No entries yet: the operator writes the trail in chunks a few seconds apart.</p> : null}
      <table data-testid="job-audit">
        <tbody>
          {data.audit.map((e, i) => (
            <tr key={`${e.time}-${i}`}>
              <td>{e.time}</td><td>{e.action}</td><td>{e.agent ?? ""}</td><td>{e.reason ?? ""}</td><td>{e.message ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Events</h3>
      {data.events.length === 0 ? <p className="muted">No Events for this job.</p> : null}
      <table>
        <tbody>
          {data.events.map((e, i) => (
            <tr key={`${e.time ?? ""}-${i}`}>
              <td>{e.time}</td><td>{e.type}</td><td>{e.reason}</td><td>{e.note}</td><td>{e.reportingController}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
