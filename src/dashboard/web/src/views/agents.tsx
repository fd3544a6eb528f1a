// Agents: phase, heartbeat age (from the Lease), running/capacity, queues, capabilities, quarantine countdown; drain and uncordon.
import { useEffect, useState, type ReactNode } from "react";
import type { AgentsPage } from "../../../model.js";
import { useLive } from "../api.js";
import { ago, ConfirmAction, duration, ErrorNote, Problems } from "../components.js";

/** Re-renders every second, so ages and countdowns move between pushes. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function AgentsView(): ReactNode {
  const { data, error } = useLive<AgentsPage>("/api/agents", ["agents", "leases", "jobs"]);
  const now = useNow();
  return (
    <section data-testid="agents">
      <h2>Agents</h2>
      <ErrorNote error={error} />
      <Problems problems={data?.problems} />
      <table>
        <thead>
          <tr>
            <th>Namespace</th><th>Name</th><th>Phase</th><th>Heartbeat</th><th>Running</th><th>Queues</th><th>Capabilities</th><th>Quarantine</th><th>Failures</th><th />
          </tr>
        </thead>
        <tbody>
          {(data?.items ?? []).map((a) => {
            const until = a.quarantinedUntil === undefined ? undefined : Date.parse(a.quarantinedUntil) - now;
            return (
              <tr key={`${a.namespace}/${a.name}`} data-testid="agent-row" data-name={a.name}>
                <td>{a.namespace}</td>
                <td>{a.name}</td>
                <td className={`phase ${a.phase}`}>{a.drain && a.phase !== "Draining" ? `${a.phase} (drain requested)` : a.phase}</td>
                <td title={a.heartbeatSource}>{ago(a.lastHeartbeat, now)}</td>
                <td>{a.running}/{a.maxConcurrency}</td>
                <td>{a.queues.join(", ")}</td>
                <td>{a.capabilities.join(", ") || "-"}</td>
                <td>{until === undefined || until <= 0 ? "-" : duration(until)}</td>
                <td>{a.consecutiveFailures}</td>
                <td>
                  {a.drain ? (
                    <ConfirmAction
                      label="Uncordon"
                      explain={`Clears spec.drain on agent ${a.namespace}/${a.name}: it takes new work again.`}
                      action={{ action: "uncordon-agent", namespace: a.namespace, name: a.name }}
                    />
                  ) : (
                    <ConfirmAction
                      label="Drain"
                      danger
                      explain={`Sets spec.drain on agent ${a.namespace}/${a.name}: it takes no new work; its ${a.running} running job(s) finish there.`}
                      action={{ action: "drain-agent", namespace: a.namespace, name: a.name }}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
