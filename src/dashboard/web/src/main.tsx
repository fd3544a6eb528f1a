// The dashboard's browser app: a hash router over five views, fed by one event stream per tab.
import { StrictMode, useEffect, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import type { Session } from "../../model.js";
import { getSession, ReadError, SIGNED_OUT_EVENT, signOut, useChangeStream, VersionsContext } from "./api.js";
import { AgentsView } from "./views/agents.js";
import { AuditView } from "./views/audit.js";
import { FlagsView } from "./views/flags.js";
import { JobView } from "./views/job.js";
import { JobsView } from "./views/jobs.js";
import { OverviewView } from "./views/overview.js";
import { SignInView } from "./views/sign-in.js";
import "./style.css";

/** The route as the hash says: `#/jobs?phase=Running`, `#/jobs/ns/name`, `#/agents`... */
export interface Route {
  readonly path: string[];
  readonly params: URLSearchParams;
}

function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = hash.split("?");
  return { path: path.split("/").filter((p) => p !== "").map(decodeURIComponent), params: new URLSearchParams(query) };
}

const TABS = [
  ["overview", "Overview"],
  ["jobs", "Jobs"],
  ["agents", "Agents"],
  ["flags", "Flags"],
  ["audit", "Audit"],
] as const;

function App(): ReactNode {
  const [route, setRoute] = useState(currentRoute);
  const [session, setSession] = useState<Session>();
  /** Set when the server wants a sign-in (a dashboard in a cluster): why. */
  const [signIn, setSignIn] = useState<string>();
  const versions = useChangeStream();
  useEffect(() => {
    const onHash = (): void => setRoute(currentRoute());
    const onSignedOut = (event: Event): void => setSignIn((event as CustomEvent<string>).detail);
    window.addEventListener("hashchange", onHash);
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    getSession().then(setSession, (err: unknown) => {
      if (err instanceof ReadError && err.status === 401) setSignIn(err.message);
    });
    return () => {
      window.removeEventListener("hashchange", onHash);
      window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
    };
  }, []);
  if (signIn !== undefined) {
    return (
      <>
        <header>
          <h1>Helios</h1>
        </header>
        <main>
          <SignInView {...(session === undefined ? {} : { reason: signIn })} />
        </main>
      </>
    );
  }
  const [view = "overview", ...rest] = route.path;
  let body: ReactNode;
  if (view === "jobs" && rest.length === 2) body = <JobView namespace={rest[0] ?? ""} name={rest[1] ?? ""} />;
  else if (view === "jobs") body = <JobsView params={route.params} />;
  else if (view === "agents") body = <AgentsView />;
  else if (view === "flags") body = <FlagsView />;
  else if (view === "audit") body = <AuditView params={route.params} />;
  else body = <OverviewView />;
  return (
    <VersionsContext.Provider value={versions}>
      <header>
        <h1>Helios</h1>
        <nav>
          {TABS.map(([id, label]) => (
            <a key={id} href={`#/${id}`} className={view === id ? "current" : ""}>
              {label}
            </a>
          ))}
        </nav>
        {session === undefined ? null : (
          <span className="who" data-testid="session">
            {session.user} @ {session.context} · {session.scope}
          </span>
        )}
        {session?.auth === "token" ? (
          <button type="button" className="sign-out" onClick={() => void signOut().then(() => window.location.reload())}>
            Sign out
          </button>
        ) : null}
      </header>
      <main>{body}</main>
    </VersionsContext.Provider>
  );
}

const root = document.getElementById("root");
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
