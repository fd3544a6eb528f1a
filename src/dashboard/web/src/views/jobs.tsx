// Jobs: server-side filters and paging, the page's rows virtualised (@tanstack/react-virtual).
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { JOB_PHASES, PRIORITY_CLASSES } from "../../../../api/constants.js";
import type { JobPage } from "../../../model.js";
import { useLive } from "../api.js";
import { duration, ErrorNote, Problems } from "../components.js";

const FILTERS = ["namespace", "phase", "type", "priority", "agent", "label"] as const;
const PAGE = 500;
const ROW_PX = 30;

function withParams(params: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === "") next.delete(k);
    else next.set(k, v);
  }
  return `#/jobs?${next.toString()}`;
}

export function JobsView({ params }: { params: URLSearchParams }): ReactNode {
  const offset = Number(params.get("offset") ?? 0) || 0;
  const query = new URLSearchParams();
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v !== null && v !== "") query.set(f, v);
  }
  query.set("offset", String(offset));
  query.set("limit", String(PAGE));
  const { data, error } = useLive<JobPage>(`/api/jobs?${query.toString()}`, ["jobs"]);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = data?.items ?? [];
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])));
  const apply = (e: FormEvent): void => {
    e.preventDefault();
    window.location.hash = withParams(params, { ...draft, offset: undefined });
  };
  return (
    <section data-testid="jobs">
      <h2>Jobs {data === undefined ? null : <small data-testid="jobs-total">{data.total} matching</small>}</h2>
      <form className="filters" onSubmit={apply}>
        {FILTERS.map((f) =>
          f === "phase" || f === "priority" ? (
            <label key={f}>
              {f}
              <select value={draft[f] ?? ""} onChange={(e) => setDraft({ ...draft, [f]: e.target.value })} name={f}>
                <option value="">any</option>
                {(f === "phase" ? JOB_PHASES : PRIORITY_CLASSES).map((v) => (
                  <option key={v}>{v}</option>
                ))}
              </select>
            </label>
          ) : (
            <label key={f}>
              {f}
              <input name={f} value={draft[f] ?? ""} placeholder={f === "label" ? "key=value" : ""} onChange={(e) => setDraft({ ...draft, [f]: e.target.value })} />
            </label>
          ),
        )}
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={error} />
      <Problems problems={data?.problems} />
      <div className="jobs-table">
        <div className="row head">
          <span>Namespace</span><span>Name</span><span>Type</span><span>Priority</span><span>Phase</span><span>Agent</span><span>Attempt</span><span>Wait</span><span>Run</span><span>Age</span><span>Reason</span>
        </div>
        <div className="scroller" ref={scroller} data-testid="jobs-scroller">
          <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualizer.getVirtualItems().map((item) => {
              const v = rows[item.index];
              if (v === undefined) return null;
              return (
                <a
                  key={`${v.namespace}/${v.name}`}
                  className="row"
                  href={`#/jobs/${encodeURIComponent(v.namespace)}/${encodeURIComponent(v.name)}`}
                  data-testid="job-row"
                  data-namespace={v.namespace}
                  data-name={v.name}
                  data-phase={v.phase}
                  style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_PX, transform: `translateY(${item.start}px)` }}
                >
                  <span>{v.namespace}</span>
                  <span>{v.name}</span>
                  <span>{v.type}</span>
                  <span>{v.priority}</span>
                  <span className={`phase ${v.phase}`}>{v.phase}{v.phase === "Running" && v.progressPercent !== undefined ? ` ${Math.round(v.progressPercent)}%` : ""}</span>
                  <span>{v.agent ?? "-"}</span>
                  <span>{v.attempt}</span>
                  <span>{duration(v.waitMs)}</span>
                  <span>{duration(v.runMs)}</span>
                  <span>{duration(v.ageMs)}</span>
                  <span title={v.message}>{v.reason ?? ""}</span>
                </a>
              );
            })}
          </div>
        </div>
      </div>
      {data === undefined ? null : (
        <div className="pager">
          <a aria-disabled={offset === 0} href={withParams(params, { offset: String(Math.max(0, offset - PAGE)) })}>
            ← previous
          </a>
          <span>
            {data.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, data.total)} of {data.total}
          </span>
          <a aria-disabled={offset + PAGE >= data.total} href={withParams(params, { offset: String(offset + PAGE) })}>
            next →
          </a>
        </div>
      )}
    </section>
  );
}
