// `helios wait JOB`: waits until a Job ends, prints its result, and exits with a code that says how it ended.
import { Option } from "commander";
import { JobCancelledError, JobClient, JobExpiredError, JobFailedError, WaitTimeoutError } from "../../client/index.js";
import { DurationError, parseDuration } from "../../runtime/config/index.js";
import { CliExit, UsageError, type CliCommand, type CliContext } from "../command.js";
import { addKubeOptions, connect, explainApiError, type KubeFlags, type KubeTarget } from "../kube/index.js";
import {
  describeEnding,
  describeSucceeded,
  formatDocument,
  SUBMIT_OUTPUT_FORMATS,
  WAIT_EXIT_CODES,
  type SubmitOutputFormat,
} from "../output/index.js";

export interface WaitFlags {
  readonly timeout?: string;
  readonly output?: SubmitOutputFormat;
}

/** `--timeout` as milliseconds; `0` (the default) waits as long as the Job takes. */
export function parseWaitTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const ms = parseDuration(value);
    if (ms < 0) throw new DurationError(value, "negative");
    return ms === 0 ? undefined : ms;
  } catch (err) {
    if (err instanceof DurationError) throw new UsageError(`invalid value ${JSON.stringify(value)} for --timeout: expected a duration such as 90s or 5m (0: no limit)`);
    throw err;
  }
}

/** The options submit --wait and wait share. */
export function addWaitOptions<C extends { addOption(option: Option): C }>(cmd: C): C {
  return cmd
    .addOption(new Option("--timeout <duration>", "give up after this long (exit 6); 0 waits as long as the job takes").default("0"))
    .addOption(new Option("-o, --output <format>", "name, json or yaml (the Job); default: the result as JSON").choices(SUBMIT_OUTPUT_FORMATS));
}

/**
 * Waits for `name` and reports: the result on stdout and exit 0 when it Succeeded; the phase and last
 * error on stderr and exit 3 (Failed), 4 (Expired), 5 (Cancelled) or 6 (timed out) otherwise.
 */
export async function waitAndReport(target: KubeTarget, name: string, flags: WaitFlags, ctx: CliContext): Promise<void> {
  const timeoutMs = parseWaitTimeout(flags.timeout);
  const jobs = new JobClient(target.transport, target.namespace);
  try {
    ctx.stdout(describeSucceeded(await jobs.waitFor(name, { timeoutMs }), flags.output));
  } catch (err) {
    if (err instanceof JobFailedError || err instanceof JobExpiredError || err instanceof JobCancelledError) {
      ctx.stderr(describeEnding(err));
      if (flags.output === "json" || flags.output === "yaml") ctx.stdout(formatDocument(err.job, flags.output));
      throw new CliExit(WAIT_EXIT_CODES[err.job.status?.phase === "Expired" ? "Expired" : err.job.status?.phase === "Cancelled" ? "Cancelled" : "Failed"]);
    }
    if (err instanceof WaitTimeoutError) {
      ctx.stderr(`${err.message}; it goes on: wait again with "helios wait ${name} -n ${target.namespace}"\n`);
      throw new CliExit(WAIT_EXIT_CODES.WaitTimeout);
    }
    throw explainApiError(err, { verb: "watch", resource: "jobs.helios.dev", namespace: target.namespace, name }, target);
  }
}

export const command: CliCommand = {
  register(program, ctx) {
    addWaitOptions(
      addKubeOptions(
        program
          .command("wait")
          .argument("<job>", "name of the Job")
          .description("wait until a job ends and print its result; the exit code says how it ended (0 succeeded, 3 failed, 4 expired, 5 cancelled, 6 timed out)"),
        {},
      ),
    ).action((name: string, flags: KubeFlags & WaitFlags) => waitAndReport(connect(flags, ctx.env), name, flags, ctx));
  },
};
