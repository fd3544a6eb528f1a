// The sign-in page of a dashboard in a cluster (`--auth token`): paste a bearer token; it is posted as
// JSON (never in a URL), reviewed by the apiserver, and kept in the server's memory for the session.
import { useState, type FormEvent, type ReactNode } from "react";
import { signIn } from "../api.js";

export function SignInView({ reason }: { reason?: string }): ReactNode {
  const [token, setToken] = useState("");
  const [namespace, setNamespace] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    void signIn(token.trim(), namespace.trim()).then((result) => {
      setBusy(false);
      // Everything (the event stream, the views) starts afresh as the signed-in user.
      if (result.ok) window.location.reload();
      else setError(result.message);
    });
  };
  return (
    <form className="card sign-in" onSubmit={submit} data-testid="sign-in">
      <h2>Sign in</h2>
      <p>
        Paste a Kubernetes bearer token (for a ServiceAccount: <code>kubectl create token NAME -n NAMESPACE</code>). The dashboard reads and acts with it, as you:
        it shows what your RBAC lets you list and does what it lets you do.
      </p>
      {reason === undefined ? null : <p className="note">{reason}</p>}
      <label>
        Token
        <textarea name="token" rows={4} autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} required />
      </label>
      <label>
        Namespace <small>(empty: the dashboard's default, all namespaces unless it sets one)</small>
        <input name="namespace" value={namespace} onChange={(e) => setNamespace(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
          Sign in
        </button>
      </div>
      {error === undefined ? null : (
        <p className="problems" data-testid="sign-in-error">
          {error}
        </p>
      )}
    </form>
  );
}
