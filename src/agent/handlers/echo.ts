// `echo`: returns its payload's message; the smallest useful handler.
import type { Handler } from "../types.js";

/** Payload `{ message }` → result `{ message }`. */
export const echo: Handler = (payload) => Promise.resolve({ message: payload["message"] ?? "" });
