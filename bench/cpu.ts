// CPU time per process from /proc, to say where a scenario's CPU went (apiserver, etcd, operator, agents, bench).
import { readFile } from "node:fs/promises";

/** USER_HZ: 100 on every Linux build that matters (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** CPU time (user + system) a process used so far, in ms, from /proc (Linux; NaN elsewhere). */
export async function procCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // After the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Starts measuring the named processes (`self` for this one); the returned function gives ms used since. */
export async function meterCpu(pids: Readonly<Record<string, number>>): Promise<() => Promise<Record<string, number>>> {
  const read = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === process.pid) {
        const u = process.cpuUsage();
        out[name] = (u.user + u.system) / 1000;
      } else out[name] = await procCpuMs(pid);
    }
    return out;
  };
  const before = await read();
  return async () => {
    const after = await read();
    return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? Number.NaN)]));
  };
}
