// Bind addresses of the metrics and probe endpoints, in controller-runtime's forms; one rule for every command.
import { z } from "zod";

/** A parsed bind address; `host` undefined means all interfaces. */
export interface BindAddress {
  readonly host?: string;
  readonly port: number;
}

const BIND_ADDRESS = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/;

/**
 * Parses "host:port", ":port" (all interfaces) and "[v6]:port"; "0" (and "") mean disabled and
 * return undefined.
 */
export function parseBindAddress(address: string): BindAddress | undefined {
  if (address === "0" || address === "") return undefined;
  const m = BIND_ADDRESS.exec(address);
  const port = Number(m?.[3]);
  if (m === null || !(port >= 0 && port <= 65535)) throw new Error(`invalid bind address "${address}"`);
  const host = m[1] ?? m[2] ?? "";
  return host === "" ? { port } : { host, port };
}

/**
 * Whether two bind addresses would listen on the same port of a shared interface (the second listen
 * fails with EADDRINUSE). Disabled addresses and unparsable ones never clash.
 */
export function listenersClash(a: string, b: string): boolean {
  let first: BindAddress | undefined;
  let second: BindAddress | undefined;
  try {
    first = parseBindAddress(a);
    second = parseBindAddress(b);
  } catch {
    return false;
  }
  if (first === undefined || second === undefined || first.port !== second.port || first.port === 0) return false;
  return first.host === undefined || second.host === undefined || first.host === second.host;
}

/** A flag's raw bind address, checked with parseBindAddress and kept as written. */
export const bindAddressSchema = z.string().refine(
  (s) => {
    try {
      parseBindAddress(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected host:port, :port (all interfaces) or "0" (disabled)' },
);
