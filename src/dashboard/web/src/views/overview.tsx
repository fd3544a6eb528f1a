// Overview: queue depth, throughput and assignment latency (charts), agents by phase, flags in effect, Blocked jobs.
import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Overview } from "../../../model.js";
import { useLive } from "../api.js";
import { duration, ErrorNote, flagValue, Problems } from "../components.js";

const clock = (minute: number): string => new Date(minute).toISOString().slice(11, 16);

export function OverviewView(): ReactNode {
  const { data, error } = useLive<Overview>("/api/overview", ["jobs", "agents", "featureflags"]);
  if (data === undefined) return <ErrorNote error={error} />;
  const throughput = data.throughput.map((p) => ({ ...p, time: clock(p.minute) }));
  const latency = data.latency.map((p) => ({ time: clock(p.minute), average: p.avgMs / 1000, max: p.maxMs / 1000 }));
  return (
    <section data-testid="overview">
      <h2>Overview <small>{data.scope}</small></h2>
      <Problems problems={data.problems} />
      <div className="grid">
        <div className="card wide">
          <h3>Queues</h3>
          <table>
            <thead>
              <tr>
                <th>Namespace</th><th>Queue</th><th>Pending</th><th>critical/high/normal/low</th><th>Blocked</th><th>Assigned</th><th>Running</th><th>Oldest wait</th>
              </tr>
            </thead>
            <tbody>
              {data.queues.map((q) => (
                <tr key={`${q.namespace}/${q.queue}`}>
                  <td>{q.namespace}</td><td>{q.queue}</td><td>{q.pending}</td>
                  <td>{`${q.pendingByPriority.critical}/${q.pendingByPriority.high}/${q.pendingByPriority.normal}/${q.pendingByPriority.low}`}</td>
                  <td>{q.blocked}</td><td>{q.assigned}</td><td>{q.running}</td><td>{duration(q.oldestWaitMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card">
          <h3>Agents by phase</h3>
          <table>
            <thead>
              <tr><th>Namespace</th><th>Ready</th><th>Draining</th><th>Quarantined</th><th>Offline</th><th>In flight</th><th>Ready capacity</th></tr>
            </thead>
            <tbody>
              {data.agents.map((a) => (
                <tr key={a.namespace}>
                  <td>{a.namespace}</td><td>{a.phases["Ready"] ?? 0}</td><td>{a.phases["Draining"] ?? 0}</td><td>{a.phases["Quarantined"] ?? 0}</td>
                  <td>{a.phases["Offline"] ?? 0}</td><td>{a.inflight}</td><td>{a.readyCapacity}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card">
          <h3>Jobs finished per minute (last hour)</h3>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={throughput}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" interval={9} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="Succeeded" stackId="a" fill="#2e7d32" isAnimationActive={false} />
              <Bar dataKey="Failed" stackId="a" fill="#c62828" isAnimationActive={false} />
              <Bar dataKey="Expired" stackId="a" fill="#f9a825" isAnimationActive={false} />
              <Bar dataKey="Cancelled" stackId="a" fill="#757575" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <div className="card">
          <h3>Created → assigned latency, seconds (last hour)</h3>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={latency}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" interval={9} />
              <YAxis />
              <Tooltip />
              <Legend />
              <Line dataKey="average" stroke="#1565c0" dot={false} isAnimationActive={false} />
              <Line dataKey="max" stroke="#8e24aa" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div className="card">
          <h3>Control flags in effect <small>({data.operatorNamespace})</small></h3>
          {data.flags === undefined ? (
            <p>Not readable with your access.</p>
          ) : (
            <table>
              <tbody>
                {data.flags.map((f) => (
                  <tr key={f.key} className={f.neutral ? "" : "active"}>
                    <td>{f.key}</td><td data-testid={`flag-${f.key}`}>{flagValue(f)}</td><td>{f.source}{f.targeted ? " (targeted)" : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card">
          <h3>Blocked</h3>
          {data.blocked.length === 0 ? (
            <p>Nothing is blocked.</p>
          ) : (
            <table>
              <tbody>
                {data.blocked.map((b) => (
                  <tr key={`${b.namespace}/${b.name}`}>
                    <td><a href={`#/jobs/${b.namespace}/${b.name}`}>{b.namespace}/{b.name}</a></td><td>{b.type}</td><td>{b.reason}</td><td>{b.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
