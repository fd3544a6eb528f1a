// Audit: search by job, agent, action and time, newest first (the server queries its AuditLog cache).
import { useState, type FormEvent, type ReactNode } from "react";
import type { AuditPage } from "../../../model.js";
import { useLive } from "../api.js";
import { ErrorNote, Problems } from "../components.js";

const FIELDS = ["namespace", "job", "agent", "action", "since", "until"] as const;

export function AuditView({ params }: { params: URLSearchParams }): ReactNode {
  const query = new URLSearchParams();
  for (const f of FIELDS) {
    const v = params.get(f);
    if (v !== null && v !== "") query.set(f, v);
  }
  const { data, error } = useLive<AuditPage>(`/api/audit?${query.toString()}`, ["auditlogs"]);
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ""])));
  const search = (e: FormEvent): void => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const f of FIELDS) if ((draft[f] ?? "") !== "") next.set(f, draft[f] ?? "");
    window.location.hash = `#/audit?${next.toString()}`;
  };
  return (
    <section data-testid="audit">
      <h2>Audit <small>newest first</small></h2>
      <form className="filters" onSubmit={search}>
        {FIELDS.map((f) => (
          <label key={f}>
            {f}
            <input
              name={f}
              value={draft[f] ?? ""}
              placeholder={f === "since" || f === "until" ? "2026-01-01T00:00:00Z" : f === "action" ? "assigned,failed" : ""}
              onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
            />
          </label>
        ))}
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      <Problems problems={data?.problems} />
      <table>
        <thead>
          <tr><th>Time</th><th>Namespace</th><th>Action</th><th>Object</th><th>Attempt</th><th>Agent</th><th>Reason</th><th>Message</th><th>Actor</th></tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((e, i) => (
            <tr key={`${e.time}-${i}`} data-testid="audit-row">
              <td>{e.time}</td><td>{e.namespace}</td><td>{e.action}</td><td>{e.kind}/{e.name}</td><td>{e.attempt ?? ""}</td><td>{e.agent ?? ""}</td>
              <td>{e.reason ?? ""}</td><td>{e.message ?? ""}</td><td>{e.actor ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
