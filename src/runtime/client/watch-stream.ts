// Decodes a watch response body (one JSON event per line) into typed raw watch events.
import { apiErrorFromStatus, statusFromObject, type ApiError } from "./errors.js";
import type { KubeObject } from "./object.js";

/** One event as the apiserver sends it, with ERROR already turned into an ApiError. */
export type RawWatchEvent<T> =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: T }
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string }
  | { readonly type: "ERROR"; readonly error: ApiError };

/** Splits a byte stream into lines; keeps the unfinished tail between chunks. */
export class LineSplitter {
  #tail = "";
  readonly #decoder = new TextDecoder();

  /** Returns the complete lines in `chunk` (without the newline), skipping blank ones. */
  push(chunk: Uint8Array | string): string[] {
    const text = this.#tail + (typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true }));
    const parts = text.split("\n");
    this.#tail = parts.pop() ?? "";
    return parts.filter((line) => line.trim() !== "");
  }

  /** What is left when the stream ends (a last line without newline), if anything. */
  flush(): string[] {
    const rest = this.#tail + this.#decoder.decode();
    this.#tail = "";
    return rest.trim() === "" ? [] : [rest];
  }
}

/** Thrown for a line that is not a watch event: the stream is corrupt and must be reopened. */
export class WatchDecodeError extends Error {
  readonly code = "WatchDecode";
  readonly retryable = true;
}

/** Parses one watch line. */
export function parseWatchLine<T extends KubeObject>(line: string): RawWatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new WatchDecodeError(`watch line is not JSON: ${line.slice(0, 200)}`, { cause: err });
  }
  if (typeof parsed !== "object" || parsed === null) throw new WatchDecodeError("watch line is not an object");
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  switch (type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED":
      if (typeof object !== "object" || object === null) throw new WatchDecodeError(`${type} event without object`);
      return { type, object: object as T };
    case "BOOKMARK": {
      const rv = (object as KubeObject | undefined)?.metadata?.resourceVersion;
      if (!rv) throw new WatchDecodeError("BOOKMARK event without resourceVersion");
      return { type, resourceVersion: rv };
    }
    case "ERROR": {
      const status = statusFromObject(object) ?? { code: 0, reason: "", message: JSON.stringify(object).slice(0, 500) };
      return { type, error: apiErrorFromStatus(status) };
    }
    default:
      throw new WatchDecodeError(`unknown watch event type ${String(type)}`);
  }
}
