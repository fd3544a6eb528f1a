// Small shared pieces: access problems, a confirmation dialog, a progress bar, durations.
import { useRef, useState, type ReactNode } from "react";
import type { AccessProblem, ActionResult, FlagInEffect } from "../../model.js";
import { postAction } from "./api.js";

export function Problems({ problems }: { problems: readonly AccessProblem[] | undefined }): ReactNode {
  if (problems === undefined || problems.length === 0) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      {problems.map((p) => (
        <p key={`${p.resource}/${p.namespace ?? ""}`}>{p.message}</p>
      ))}
    </div>
  );
}

export function ErrorNote({ error }: { error: Error | undefined }): ReactNode {
  if (error === undefined) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      <p>{error.message}</p>
    </div>
  );
}

/**
 * A button that asks first: the dialog says what will happen, and the action runs only on Confirm.
 * The outcome (or the apiserver's refusal) is shown under the button.
 */
export function ConfirmAction(props: { label: string; explain: string; action: Record<string, unknown>; onDone?: (r: ActionResult) => void; danger?: boolean; disabled?: boolean }): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const [result, setResult] = useState<ActionResult>();
  const [busy, setBusy] = useState(false);
  const confirm = async (): Promise<void> => {
    dialog.current?.close();
    setBusy(true);
    const r = await postAction(props.action);
    setBusy(false);
    setResult(r);
    props.onDone?.(r);
  };
  return (
    <span className="action">
      <button className={props.danger === true ? "danger" : ""} disabled={busy || props.disabled === true} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog}>
        <p>{props.explain}</p>
        <div className="buttons">
          <button onClick={() => dialog.current?.close()}>Cancel</button>
          <button className="primary" onClick={() => void confirm()}>
            Confirm
          </button>
        </div>
      </dialog>
      {result === undefined ? null : (
        <span className={result.ok ? "result ok" : "result refused"} data-testid="action-result">
          {result.message}
        </span>
      )}
    </span>
  );
}

export function ProgressBar({ percent }: { percent: number }): ReactNode {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <progress max={100} value={value} data-testid="progress">
      {value}%
    </progress>
  );
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1000) return `${ms}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 === 0 ? "" : `${s % 60}s`}`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60 === 0 ? "" : `${m % 60}m`}` : `${Math.floor(h / 24)}d`;
}

export function ago(time: string | undefined, nowMs: number): string {
  if (time === undefined) return "-";
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? "-" : `${duration(Math.max(0, nowMs - ms))} ago`;
}

/** A control flag's value as the operator applies it: a neutral cap reads "no cap" (as `helios status` prints it). */
export function flagValue(f: FlagInEffect): string {
  if (f.applied !== undefined) return f.applied;
  if (typeof f.value === "number" && f.neutral && f.key !== "helios-dispatch-delay-ms") return "no cap";
  return String(f.value);
}
